import type { SHELLS } from './spec';

/**
 * Completion scripts for the plugin run as `kubectl-failover`. Each asks the program itself
 * (`kubectl-failover __complete WORDS… CURRENT`) and reads cobra's answer: candidates, one per
 * line with an optional TAB and description, then `:<directive>` (1 error, 2 no space, 4 no file
 * names). `kubectl failover <TAB>` is completed by kubectl's own script through the
 * kubectl_complete-failover shim instead (`completion install`).
 */

const HEADER = (shell: string, load: string) => `# ${shell} completion for kubectl-failover, run as kubectl-failover.
# For \`kubectl failover <TAB>\`, load kubectl's own completion (kubectl completion ${shell}) and run
# \`kubectl failover completion install\` once.
# Load this one with: ${load}
`;

// bash splits a word at '=' and ':' (COMP_WORDBREAKS) and readline replaces only its last part. The
// words are re-read from COMP_LINE, split at blanks only, so `--output=js` or an EKS context name
// `arn:aws:…` reaches __complete whole; each candidate then loses the part readline keeps.
const BASH = `${HEADER('bash', 'source <(kubectl-failover completion bash)')}
__kubectl_failover_complete() {
    local line="\${COMP_LINE:0:COMP_POINT}" out directive full flag='' cur strip value
    local -a words lines
    read -ra words <<< "$line"
    [[ -z "$line" || "$line" == *[[:blank:]] ]] && words+=("")
    full="\${words[\${#words[@]}-1]}"
    out=$("\${words[0]}" __complete "\${words[@]:1}" 2>/dev/null) || return
    mapfile -t lines <<< "$out"
    directive="\${lines[\${#lines[@]}-1]#:}"
    unset 'lines[\${#lines[@]}-1]'
    COMPREPLY=()
    (( directive & 1 )) && return
    (( directive & 2 )) && compopt -o nospace
    # --flag=value: the candidates are values; the flag goes back in front of each.
    [[ "$full" == -*=* ]] && flag="\${full%%=*}="
    cur="\${full#"$flag"}"
    # readline replaces only what follows the word's last break character (= or :).
    local breaks=''
    [[ "$COMP_WORDBREAKS" == *=* ]] && breaks+='='
    [[ "$COMP_WORDBREAKS" == *:* ]] && breaks+=':'
    [[ -n "$breaks" ]] && strip="\${full%"\${full##*[$breaks]}"}"
    for value in "\${lines[@]}"; do
        value="\${value%%$'\\t'*}"
        [[ -n "$value" && "$value" == "$cur"* ]] || continue
        value="$flag$value"
        COMPREPLY+=("\${value#"$strip"}")
    done
    (( \${#COMPREPLY[@]} == 0 && (directive & 4) == 0 )) && compopt -o default
    return 0
}
complete -F __kubectl_failover_complete kubectl-failover
`;

const ZSH = `#compdef kubectl-failover
${HEADER('zsh', 'source <(kubectl-failover completion zsh)   (after compinit)')}
_kubectl_failover() {
    local out directive prefix='' line
    local -a lines values shown nospace
    out=$("\${words[1]}" __complete "\${(@)words[2,CURRENT]}" 2>/dev/null) || return 1
    lines=("\${(@f)out}")
    directive=\${lines[-1]#:}
    lines=("\${(@)lines[1,-2]}")
    (( directive & 1 )) && return 1
    (( directive & 2 )) && nospace=(-S '')
    [[ \${words[CURRENT]} == -*=* ]] && prefix="\${words[CURRENT]%%=*}="
    for line in "\${lines[@]}"; do
        [[ -z $line ]] && continue
        values+=("\${line%%$'\\t'*}")
        if [[ $line == *$'\\t'* ]]; then shown+=("\${line%%$'\\t'*}  -- \${line#*$'\\t'}"); else shown+=("$line"); fi
    done
    if (( \${#values} )); then
        compadd "\${nospace[@]}" -P "$prefix" -l -d shown -a values
        return 0
    fi
    (( directive & 4 )) && return 1
    _files
}
compdef _kubectl_failover kubectl-failover
`;

const FISH = `${HEADER('fish', 'kubectl-failover completion fish | source')}
function __kubectl_failover_complete
    set -l words (commandline -opc)
    set -l current (commandline -ct)
    set -l out ($words[1] __complete $words[2..-1] "$current" 2>/dev/null)
    or return
    set -l directive (string replace -r '^:' '' -- $out[-1])
    set -e out[-1]
    test (math "$directive % 2") -eq 1; and return 1
    set -l prefix ''
    string match -qr -- '^-[^=]*=' $current; and set prefix (string replace -r '=.*' '=' -- $current)
    for line in $out
        test -n "$line"; and printf '%s%s\\n' $prefix $line
    end
    if test (count $out) -eq 0; and test (math "floor($directive / 4) % 2") -eq 0
        __fish_complete_path $current
    end
end
complete -c kubectl-failover -f -a '(__kubectl_failover_complete)'
`;

export function completionScript(shell: (typeof SHELLS)[number]): string {
  switch (shell) {
    case 'bash':
      return BASH;
    case 'zsh':
      return ZSH;
    case 'fish':
      return FISH;
  }
}
