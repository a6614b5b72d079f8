autoload -U +X bashcompinit && bashcompinit
complete -o default -C 'authwrap' authwrap
