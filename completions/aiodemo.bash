# bash completion for aiodemo(1): the commands, each command's options (as
# `aiodemo help COMMAND` lists them), the values of options with fixed
# choices, the built-in programs, Python files and records, and
# --param NAME= with the parameters of the program on the line.

# The long options of command $2 (all of them without one) of aiodemo $1,
# one a line; an option that takes a value ends in "=". With $3, the
# options that take a value, short forms too, without the "=".
_aiodemo_options()
{
	"$1" help $2 --lang en 2>/dev/null | awk -v valued="$3" '
		/^  (-[[:alnum:]], |    )--[[:alnum:]]/ {
			short = substr($0, 3, 1) == "-" ? substr($0, 3, 2) : ""
			sub(/^  (-[[:alnum:]], |    )/, "")
			match($0, /^--[[:alnum:]-]+/)
			name = substr($0, 1, RLENGTH)
			takes = substr($0, RLENGTH + 1) ~ /^(=|  *[A-Z])/
			if (!valued)
				print takes ? name "=" : name
			else if (takes)
				print (short ? short "\n" : "") name
		}'
}

_aiodemo()
{
	local aiodemo=${COMP_WORDS[0]} cur=${COMP_WORDS[COMP_CWORD]}
	local prev= opt= prefix= command= dashdash= i w
	local -a operands valued
	[[ $aiodemo == "~/"* ]] && aiodemo=$HOME/${aiodemo#"~/"}
	COMPREPLY=()
	valued=($(_aiodemo_options "$aiodemo" "" valued))

	# The command and its operands so far: the words that are not options
	# or their values (--opt VALUE, --opt=VALUE, split at = or not).
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ -n $dashdash ]]; then
			operands+=("$w")
		elif [[ $w == -- ]]; then
			dashdash=1
		elif [[ $w == -* ]]; then
			if [[ $w != *=* && " ${valued[*]} " == *" $w "* ]]; then
				if [[ ${COMP_WORDS[i + 1]} == = ]]; then
					((i += 2))
				else
					((i++))
				fi
			fi
		elif [[ $w == = ]]; then
			((i++))
		elif [[ -z $command ]]; then
			command=$w
		else
			operands+=("$w")
		fi
	done

	# The option whose value is being completed, if any.
	if ((COMP_CWORD > 0)); then
		prev=${COMP_WORDS[COMP_CWORD - 1]}
	fi
	if [[ -z $dashdash ]]; then
		if [[ $cur == --*=* ]]; then
			opt=${cur%%=*} prefix=$opt= cur=${cur#*=}
		elif [[ $cur == = && $prev == --* ]]; then
			opt=$prev cur=
		elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
			opt=${COMP_WORDS[COMP_CWORD - 2]}
		elif [[ $prev == -* && " ${valued[*]} " == *" $prev "* ]]; then
			opt=$prev
		fi
	fi
	case $opt in -f) opt=--format ;; -p) opt=--param ;; -s) opt=--scale ;; esac
	if [[ -n $opt && " ${valued[*]} " == *" $opt "* ]]; then
		_aiodemo_value "$opt"
		if [[ -n $prefix ]]; then
			COMPREPLY=("${COMPREPLY[@]/#/$prefix}")
		fi
		return 0
	fi

	if [[ -z $dashdash && $cur == -* ]]; then
		local -a options
		options=($(_aiodemo_options "$aiodemo" "$command"))
		COMPREPLY=($(compgen -W "${options[*]}" -- "$cur"))
		if ((${#COMPREPLY[@]} == 1)) && [[ ${COMPREPLY[0]} == *= ]]; then
			compopt -o nospace 2>/dev/null
		fi
		return 0
	fi

	if [[ -z $command ]]; then
		COMPREPLY=($(compgen -W "list run serve show check compare replay play sweep bench httpbin help" -- "$cur"))
		return 0
	fi
	case $command in
	help)
		if ((${#operands[@]} == 0)); then
			COMPREPLY=($(compgen -W "list run serve show check compare replay play sweep bench httpbin help" -- "$cur"))
		fi
		;;
	bench)
		COMPREPLY=($(compgen -W "overhead loop timers start all" -- "$cur"))
		;;
	replay)
		((${#operands[@]} == 0)) && _aiodemo_files json
		;;
	run | serve | show | play)
		if ((${#operands[@]} == 0)); then
			_aiodemo_programs
			[[ $command == play ]] && _aiodemo_files json
		elif [[ $command == run ]]; then
			_aiodemo_files
		fi
		;;
	check | compare)
		_aiodemo_programs
		;;
	sweep)
		if ((${#operands[@]} == 0)); then
			_aiodemo_programs
		elif [[ $cur != *=* ]]; then
			_aiodemo_params "${operands[0]}"
		fi
		;;
	esac
	return 0
}

# The values of option $1 for $cur, into COMPREPLY.
_aiodemo_value()
{
	local choices=
	case $1 in
	--color) choices="auto always never" ;;
	--format) choices="text json" && [[ $command == sweep ]] && choices+=" csv" ;;
	--view) choices="events gantt both" ;;
	--svg-style) choices="page slides" ;;
	--lang) choices="zh en" ;;
	--plot) choices="total max_lag lag_p99 queue_wait blocked utilization threads processes" ;;
	--param) _aiodemo_params "${operands[0]}" && return ;;
	--record | --trace | --html | --svg) _aiodemo_files && return ;;
	*) return ;;
	esac
	COMPREPLY=($(compgen -W "$choices" -- "$cur"))
}

# NAME= for each parameter of program $1, into COMPREPLY.
_aiodemo_params()
{
	[[ -n $1 ]] || return 0
	local -a names
	names=($("$aiodemo" show "$1" --params 2>/dev/null | sed 's/=.*/=/'))
	COMPREPLY=($(compgen -W "${names[*]}" -- "$cur"))
	compopt -o nospace 2>/dev/null
	return 0
}

# The built-in programs and Python files, into COMPREPLY.
_aiodemo_programs()
{
	COMPREPLY+=($(compgen -W "$("$aiodemo" list --names 2>/dev/null)" -- "$cur"))
	_aiodemo_files py
}

# Files (ending in .$1 when it is given) and directories, into COMPREPLY.
_aiodemo_files()
{
	local IFS=$'\n'
	compopt -o filenames 2>/dev/null
	if [[ -n $1 ]]; then
		COMPREPLY+=($(compgen -f -X "!*.$1" -- "$cur") $(compgen -d -- "$cur"))
	else
		COMPREPLY+=($(compgen -f -- "$cur"))
	fi
}

complete -F _aiodemo aiodemo
