complete -o default -C 'authwrap' authwrap
