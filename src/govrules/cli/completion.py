"""Shell completion: ``govrules completion bash|zsh|fish`` prints a script that completes the
sub-commands, their options, the values an option takes (its choices, or file names) and policy
ids, generated from the command-line parser itself so that it never falls behind it.

    source <(govrules completion bash)        # in ~/.bashrc
    source <(govrules completion zsh)         # in ~/.zshrc, after compinit
    govrules completion fish > ~/.config/fish/completions/govrules.fish

Policy ids are asked of the command as it is run (``govrules list --format ids``, with the
``--policies`` and ``--pack`` options already typed), so installed packs are completed too; that
loads the packs, a second or so.
"""

from __future__ import annotations

import argparse

from govrules.cli.arguments import EXIT_OK, Commands
from govrules.records import record

__all__ = ["completion_script", "register_completion"]

SHELLS = ("bash", "zsh", "fish")

# What an option's value, or a command's operands, complete to: one of these markers, or the
# words themselves (an option's choices).
_FILE, _DIRECTORY, _POLICY, _TEXT = "@file", "@dir", "@policy", "@text"
_FILE_METAVARS = ("FILE", "PATH", "TARGET", "DECISION.json", "PUBLIC.pem", "PRIVATE.pem")


@record(slots=False)
class _Option:
    flags: tuple[str, ...]
    help: str
    value: str | None  # None: takes no value


@record(slots=False)
class _Command:
    path: str  # '' for govrules itself, 'pack seal' for a sub-command's own
    commands: tuple[tuple[str, str], ...]  # its sub-commands: name, help
    options: tuple[_Option, ...]
    operands: str  # what its positional arguments complete to ('' for nothing)


def register_completion(commands: Commands) -> None:
    command = commands.add_parser("completion", help="print a shell completion script")
    command.add_argument("shell", choices=SHELLS)
    command.set_defaults(run=cmd_completion)


def cmd_completion(args: argparse.Namespace) -> int:
    print(completion_script(args.command_line, args.shell), end="")
    return EXIT_OK


def completion_script(parser: argparse.ArgumentParser, shell: str) -> str:
    """The completion script of ``parser`` (the ``govrules`` one) for ``shell``."""
    commands = _commands(parser, "")
    if shell == "fish":
        return _fish(commands)
    tables = _tables(commands)
    return (_BASH if shell == "bash" else _ZSH).replace("@TABLES@", tables)


def _commands(parser: argparse.ArgumentParser, path: str) -> list[_Command]:
    """``parser``'s command and, after it, every sub-command's, depth first."""
    options: list[_Option] = []
    subcommands: list[tuple[str, str]] = []
    below: list[_Command] = []
    operands = ""
    for action in parser._actions:  # argparse keeps them only in this private list
        if action.help == argparse.SUPPRESS:
            continue
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
            for name, child in action.choices.items():
                subcommands.append((name, helps.get(name, "")))
                below.extend(_commands(child, f"{path} {name}".strip()))
        elif action.option_strings:
            value = None if action.nargs == 0 else _value(action)
            described = (action.help or "").replace("%%", "%")
            options.append(_Option(tuple(action.option_strings), described, value))
        elif not operands:
            operands = _value(action)
    own = _Command(path, tuple(subcommands), tuple(options), operands)
    return [own, *below]


def _value(action: argparse.Action) -> str:
    if action.choices is not None:
        return " ".join(str(choice) for choice in action.choices)
    metavar = str(action.metavar or action.dest.upper())
    if metavar == "POLICY_ID":
        return _POLICY
    if metavar == "DIR":
        return _DIRECTORY
    if metavar in _FILE_METAVARS:
        return _FILE
    return _TEXT


# --------------------------------------------------------------------------- bash and zsh


def _tables(commands: list[_Command]) -> str:
    """The shell functions, shared by bash and zsh, that answer what the parser knows."""
    words, options, values, operands = [], [], [], []
    for command in commands:
        key = _sh(command.path)
        if command.commands:
            names = " ".join(name for name, _ in command.commands)
            words.append(f"        {key}) echo {_sh(names)} ;;")
        flags = " ".join(flag for option in command.options for flag in option.flags)
        options.append(f"        {key}) echo {_sh(flags)} ;;")
        for option in command.options:
            if option.value is not None:
                keys = "|".join(_sh(f"{command.path} {flag}") for flag in option.flags)
                values.append(f"        {keys}) echo {_sh(option.value)} ;;")
        if command.operands:
            operands.append(f"        {key}) echo {_sh(command.operands)} ;;")
    return "\n".join(
        [
            "__govrules_commands() {",
            '    case "$1" in',
            *words,
            "    esac",
            "}",
            "__govrules_options() {",
            '    case "$1" in',
            *options,
            "    esac",
            "}",
            "__govrules_value() {  # fails for an option that takes no value",
            '    case "$1 $2" in',
            *values,
            "        *) return 1 ;;",
            "    esac",
            "}",
            "__govrules_operands() {",
            '    case "$1" in',
            *operands,
            "    esac",
            "}",
        ]
    )


def _sh(text: str) -> str:
    """A word quoted for a POSIX shell (bash and zsh)."""
    return "'" + text.replace("'", "'\\''") + "'"


def _quoted(text: str) -> str:
    """A word quoted for fish, whose single quotes know two escapes: ``\\'`` and ``\\\\``."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


# Walk the words typed so far: the sub-command path, skipping each option's value, and the
# options given before any sub-command (--policies, --pack) to pass on when asking for ids.
_WALK = """
    local path='' word i=$first
    local -a globals
    globals=()
    while (( i < current )); do
        word="${words_typed[i]}"
        if [[ $word == -* ]]; then
            if __govrules_value "$path" "$word" >/dev/null; then
                [[ -z $path ]] && globals+=("$word" "${words_typed[i+1]}")
                i=$((i + 1))
            fi
        elif [[ " $(__govrules_commands "$path") " == *" $word "* ]]; then
            path="${path:+$path }$word"
        fi
        i=$((i + 1))
    done
    local what='' previous="${words_typed[current-1]}"
    if (( current > first )) && [[ $previous == -* ]]; then
        what=$(__govrules_value "$path" "$previous") || what=''
        [[ -n $what ]] && { __govrules_offer "$what"; return 0; }
    fi
    if [[ $typed == -* ]]; then
        __govrules_offer "$(__govrules_options "$path")"
    elif [[ -n $(__govrules_commands "$path") ]]; then
        __govrules_offer "$(__govrules_commands "$path")"
    else
        __govrules_offer "$(__govrules_operands "$path")"
    fi
"""

_BASH = (
    """# bash completion for govrules, generated by `govrules completion bash`.
# Load it in ~/.bashrc:  source <(govrules completion bash)
@TABLES@
__govrules_offer() {
    local IFS=$' \\t\\n'
    case "$1" in
        @file)
            IFS=$'\\n'
            COMPREPLY=($(compgen -f -- "$typed"))
            compopt -o filenames 2>/dev/null ;;
        @dir)
            IFS=$'\\n'
            COMPREPLY=($(compgen -d -- "$typed"))
            compopt -o filenames 2>/dev/null ;;
        @policy)
            COMPREPLY=($(compgen -W "$("$program" "${globals[@]}" list --format ids \\
                2>/dev/null)" -- "$typed")) ;;
        @text|'') COMPREPLY=() ;;
        *) COMPREPLY=($(compgen -W "$1" -- "$typed")) ;;
    esac
}
_govrules() {
    local -a words_typed=("${COMP_WORDS[@]}")
    local current=$COMP_CWORD first=1 typed="${COMP_WORDS[COMP_CWORD]}"
    local program="${COMP_WORDS[0]}"
"""
    + _WALK
    + """}
complete -F _govrules govrules
"""
)

_ZSH = (
    """#compdef govrules
# zsh completion for govrules, generated by `govrules completion zsh`.
# Load it in ~/.zshrc, after compinit:  source <(govrules completion zsh)
# or save it as _govrules in a folder of $fpath.
@TABLES@
__govrules_offer() {
    case "$1" in
        @file) _files ;;
        @dir) _files -/ ;;
        @policy)
            local -a ids
            ids=(${(f)"$("$program" "${globals[@]}" list --format ids 2>/dev/null)"})
            compadd -a ids ;;
        @text|'') _message 'a value' ;;
        *) compadd -- ${=1} ;;
    esac
}
_govrules() {
    local -a words_typed
    words_typed=("${words[@]}")
    local current=$CURRENT first=2 typed="${words[CURRENT]}" program="${words[1]}"
"""
    + _WALK
    + """}
if [[ ${zsh_eval_context[-1]} == loadautofunc ]]; then
    _govrules "$@"
else
    compdef _govrules govrules
fi
"""
)


# --------------------------------------------------------------------------- fish


def _fish(commands: list[_Command]) -> str:
    valued = [
        f"{command.path} {flag}"
        for command in commands
        for option in command.options
        if option.value is not None
        for flag in option.flags
    ]
    pairs = [f"{command.path} {name}" for command in commands for name, _ in command.commands]
    lines = [
        "# fish completion for govrules, generated by `govrules completion fish`.",
        "# Save it:  govrules completion fish > ~/.config/fish/completions/govrules.fish",
        "set -g __govrules_valued " + " ".join(_quoted(item) for item in valued),
        "set -g __govrules_commands " + " ".join(_quoted(item) for item in pairs),
        _FISH_FUNCTIONS,
        "complete -c govrules -f",
    ]
    for command in commands:
        at = f"-n {_quoted('__govrules_at ' + _quoted(command.path))}"
        for name, help_text in command.commands:
            lines.append(f"complete -c govrules {at} -a {_quoted(name)} -d {_quoted(help_text)}")
        for option in command.options:
            lines.extend(f"complete -c govrules {at} {line}" for line in _fish_option(option))
        if command.operands:
            lines.append(f"complete -c govrules {at} {_fish_value(command.operands)}")
    return "\n".join(lines) + "\n"


def _fish_option(option: _Option) -> list[str]:
    """The option with its help, and apart (so that they go without it) the values it takes."""
    names = " ".join(
        f"-l {flag[2:]}" if flag.startswith("--") else f"-s {flag[1:]}" for flag in option.flags
    )
    described = f" -d {_quoted(option.help)}" if option.help else ""
    if option.value is None:
        return [names + described]
    return [f"{names}{described} -r", f"{names} -r {_fish_value(option.value)}"]


def _fish_value(value: str) -> str:
    if value == _FILE:
        return "-F"
    if value == _DIRECTORY:
        return "-F -a '(__fish_complete_directories)'"
    if value == _POLICY:
        return "-a '(__govrules_policies)'"
    if value == _TEXT:
        return "-f"
    return f"-f -a {_quoted(value)}"


_FISH_FUNCTIONS = """function __govrules_path --description 'the govrules sub-command typed so far'
    set -l path ''
    set -l skip 0
    for word in (commandline -opc)[2..-1]
        if test $skip = 1
            set skip 0
        else if string match -q -- '-*' $word
            contains -- "$path $word" $__govrules_valued; and set skip 1
        else if contains -- "$path $word" $__govrules_commands
            set path (string trim -- "$path $word")
        end
    end
    echo $path
end
function __govrules_at --description 'is the sub-command typed so far this one'
    set -l path (__govrules_path)
    test "$path" = "$argv[1]"
end
function __govrules_policies --description 'the policy ids govrules knows'
    set -l words (commandline -opc)
    set -l globals
    set -l i 2
    while test $i -lt (count $words); and string match -q -- '-*' $words[$i]
        if contains -- " $words[$i]" $__govrules_valued
            set -a globals $words[$i] $words[(math $i + 1)]
            set i (math $i + 2)
        else
            set i (math $i + 1)
        end
    end
    $words[1] $globals list --format ids 2>/dev/null
end"""
