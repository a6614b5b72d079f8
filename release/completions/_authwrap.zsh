#compdef authwrap
# zsh completion for authwrap: save it as _authwrap in a directory on $fpath
# (before compinit runs), or load it after compinit with
#   source <(authwrap completion zsh)
# The candidates come from authwrap itself, given the words so far in
# COMP_LINE; where it has none (a file argument), zsh offers files.

_authwrap() {
  local line="${(j: :)words[1,CURRENT]}"
  local -a candidates
  candidates=(${(f)"$(COMP_LINE=$line COMP_POINT=${#line} 'authwrap' 2>/dev/null)"})
  if (( $#candidates )); then
    compadd -- $candidates
  else
    _default
  fi
}

if [[ $zsh_eval_context[-1] == (loadautofunc|shfunc) ]]; then
  _authwrap "$@"
elif (( $+functions[compdef] )); then
  compdef _authwrap authwrap
else
  print -u2 "authwrap: hint: run compinit first (autoload -Uz compinit && compinit), then load this"
fi
