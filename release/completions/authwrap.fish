function __complete_authwrap
    set -lx COMP_LINE (commandline -cp)
    test -z (commandline -ct)
    and set COMP_LINE "$COMP_LINE "
    'authwrap'
end
complete -f -c authwrap -a "(__complete_authwrap)"
