# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_gitsync_global_optspecs
    string join \n state= o/output= color= q/quiet v/verbose metrics-file= h/help V/version
end

function __fish_gitsync_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_gitsync_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_gitsync_using_subcommand
    set -l cmd (__fish_gitsync_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c gitsync -n "__fish_gitsync_needs_command" -l state -d 'The SQLite state file [env: GITSYNC_STATE] [default: $XDG_STATE_HOME/gitsync/state.db, else ~/.local/state/gitsync/state.db]' -r -F
complete -c gitsync -n "__fish_gitsync_needs_command" -s o -l output -d 'Output format: tables for people, JSON or YAML for scripts (on stdout only)' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c gitsync -n "__fish_gitsync_needs_command" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gitsync -n "__fish_gitsync_needs_command" -l metrics-file -d 'After each sync, write Prometheus metrics to PATH (atomically), for node_exporter\'s textfile collector' -r -F
complete -c gitsync -n "__fish_gitsync_needs_command" -s q -l quiet -d 'Print nothing but results and errors'
complete -c gitsync -n "__fish_gitsync_needs_command" -s v -l verbose -d 'Print details of what was fetched, parsed and decided (on stderr)'
complete -c gitsync -n "__fish_gitsync_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gitsync -n "__fish_gitsync_needs_command" -s V -l version -d 'Print version'
complete -c gitsync -n "__fish_gitsync_needs_command" -f -a "repo" -d 'Register, list, change, pause and remove repos'
complete -c gitsync -n "__fish_gitsync_needs_command" -f -a "sync" -d 'Sync repos: every active repo that is due, the named ones now, or --all now'
complete -c gitsync -n "__fish_gitsync_needs_command" -f -a "diff" -d 'Show what a sync would change, without changing anything'
complete -c gitsync -n "__fish_gitsync_needs_command" -f -a "proposals" -d 'List, show, approve, reject and ignore proposals'
complete -c gitsync -n "__fish_gitsync_needs_command" -f -a "apply" -d 'Apply approved proposals, in dependency order'
complete -c gitsync -n "__fish_gitsync_needs_command" -f -a "status" -d 'Health of every repo: in-sync, behind, failing, stale, paused, never-synced'
complete -c gitsync -n "__fish_gitsync_needs_command" -f -a "runs" -d 'Sync-run history, newest first'
complete -c gitsync -n "__fish_gitsync_needs_command" -f -a "get" -d 'Show the live state'
complete -c gitsync -n "__fish_gitsync_needs_command" -f -a "history" -d 'Every applied change of one resource, newest first'
complete -c gitsync -n "__fish_gitsync_needs_command" -f -a "events" -d 'The audit trail: every state change with actor and time, oldest first'
complete -c gitsync -n "__fish_gitsync_needs_command" -f -a "halt" -d 'Stop auto-apply (everywhere, or in one namespace) until \'gitsync unhalt\''
complete -c gitsync -n "__fish_gitsync_needs_command" -f -a "unhalt" -d 'Lift every halt, or one namespace\'s: auto-apply resumes on the next sync'
complete -c gitsync -n "__fish_gitsync_needs_command" -f -a "gc" -d 'Apply the retention policy now (successful runs 90 days, failed and partial 365)'
complete -c gitsync -n "__fish_gitsync_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c gitsync -n "__fish_gitsync_needs_command" -f -a "man" -d 'Print the man page (roff)'
complete -c gitsync -n "__fish_gitsync_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and not __fish_seen_subcommand_from add list show set pause resume remove help" -l state -d 'The SQLite state file [env: GITSYNC_STATE] [default: $XDG_STATE_HOME/gitsync/state.db, else ~/.local/state/gitsync/state.db]' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and not __fish_seen_subcommand_from add list show set pause resume remove help" -s o -l output -d 'Output format: tables for people, JSON or YAML for scripts (on stdout only)' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and not __fish_seen_subcommand_from add list show set pause resume remove help" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and not __fish_seen_subcommand_from add list show set pause resume remove help" -l metrics-file -d 'After each sync, write Prometheus metrics to PATH (atomically), for node_exporter\'s textfile collector' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and not __fish_seen_subcommand_from add list show set pause resume remove help" -s q -l quiet -d 'Print nothing but results and errors'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and not __fish_seen_subcommand_from add list show set pause resume remove help" -s v -l verbose -d 'Print details of what was fetched, parsed and decided (on stderr)'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and not __fish_seen_subcommand_from add list show set pause resume remove help" -s h -l help -d 'Print help'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and not __fish_seen_subcommand_from add list show set pause resume remove help" -f -a "add" -d 'Register a repo: where desired state comes from and how it is reconciled'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and not __fish_seen_subcommand_from add list show set pause resume remove help" -f -a "list" -d 'List registered repos'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and not __fish_seen_subcommand_from add list show set pause resume remove help" -f -a "show" -d 'Show one repo'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and not __fish_seen_subcommand_from add list show set pause resume remove help" -f -a "set" -d 'Change a repo (pause it first). An empty credential, --known-hosts or --ca-file value forgets it'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and not __fish_seen_subcommand_from add list show set pause resume remove help" -f -a "pause" -d 'Stop (pause) or restart (resume) a repo\'s scheduled syncs'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and not __fish_seen_subcommand_from add list show set pause resume remove help" -f -a "resume" -d 'Stop (pause) or restart (resume) a repo\'s scheduled syncs'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and not __fish_seen_subcommand_from add list show set pause resume remove help" -f -a "remove" -d 'Forget a repo; its live resources stay unless --prune'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and not __fish_seen_subcommand_from add list show set pause resume remove help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from add" -l ref -d 'Branch to follow (default main), tag:NAME, or commit:SHA to pin' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from add" -l path -d 'Folder in the repo to read (relative, no \'..\')' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from add" -l layout -d 'How the repo declares resources [default: fleet]' -r -f -a "fleet\t''
manifests\t''
nodered\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from add" -l namespace -d 'Namespace the repo\'s resources live in [default: default]' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from add" -l interval -d 'Seconds between scheduled syncs, 60 to 31536000 (a year) [default: 300]' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from add" -l max-proposals -d 'New proposals one run may open, 0 to 1000000; 0 = no cap [default: 25, env GITSYNC_MAX_PROPOSALS_PER_RUN]' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from add" -l username -d 'Username for http(s), as env:VAR or file:/PATH (never the value itself)' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from add" -l password -d 'Password or access token for http(s), as env:VAR or file:/PATH' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from add" -l ssh-key -d 'Private key for ssh, as env:VAR (the key\'s text) or file:/PATH' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from add" -l ssh-passphrase -d 'Passphrase of the ssh key, as env:VAR or file:/PATH' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from add" -l known-hosts -d 'known_hosts file that pins the ssh server\'s host key [default: ~/.ssh/known_hosts]' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from add" -l ca-file -d 'PEM file of CA certificates to trust for https (e.g. a company CA)' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from add" -l compile -d 'Turn matching files into JSON resources with COMMAND (manifests layout; repeatable)' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from add" -l apply-hook -d 'Run COMMAND (no shell; the change as JSON on stdin) when applying a change of KIND, or of any kind with *; a failure rolls the apply back (repeatable; on set, replaces the list)' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from add" -l hook-timeout -d 'Seconds an apply hook may run before it is killed and the apply rolled back, 1 to 86400 [default: 300]' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from add" -l max-attempts -d 'Failed apply attempts recovery makes before it stops and waits for re-approval, 1 to 100 [default: 3]' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from add" -l fetch-timeout -d 'Seconds one fetch or check of the remote may take in all, 10 to 86400 [default: 300]' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from add" -l catalog -d 'Node catalog in Node-RED\'s .config.nodes.json format (nodered layout)' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from add" -l allow-package-source -d 'Let package.json install packages from SOURCE, not only the npm registry: git, url (tarballs), file (local paths) or alias (npm:other@1.2.3); each runs code the repository picks (nodered layout; repeatable; on set, replaces the list, and none clears it)' -r -f -a "git\t''
url\t''
file\t''
alias\t''
none\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from add" -l state -d 'The SQLite state file [env: GITSYNC_STATE] [default: $XDG_STATE_HOME/gitsync/state.db, else ~/.local/state/gitsync/state.db]' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from add" -s o -l output -d 'Output format: tables for people, JSON or YAML for scripts (on stdout only)' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from add" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from add" -l metrics-file -d 'After each sync, write Prometheus metrics to PATH (atomically), for node_exporter\'s textfile collector' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from add" -l auto-apply -d 'Apply creates and updates without review (destroys always wait)'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from add" -l paused -d 'Register it paused: no scheduled syncs until resumed'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from add" -l full-history -d 'Fetch the full history instead of only the commit the ref points at'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from add" -l no-verify -d 'Register without asking the remote whether it answers and the ref exists'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from add" -s q -l quiet -d 'Print nothing but results and errors'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from add" -s v -l verbose -d 'Print details of what was fetched, parsed and decided (on stderr)'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from list" -l state -d 'The SQLite state file [env: GITSYNC_STATE] [default: $XDG_STATE_HOME/gitsync/state.db, else ~/.local/state/gitsync/state.db]' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format: tables for people, JSON or YAML for scripts (on stdout only)' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from list" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from list" -l metrics-file -d 'After each sync, write Prometheus metrics to PATH (atomically), for node_exporter\'s textfile collector' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print nothing but results and errors'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Print details of what was fetched, parsed and decided (on stderr)'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from show" -l state -d 'The SQLite state file [env: GITSYNC_STATE] [default: $XDG_STATE_HOME/gitsync/state.db, else ~/.local/state/gitsync/state.db]' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format: tables for people, JSON or YAML for scripts (on stdout only)' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from show" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from show" -l metrics-file -d 'After each sync, write Prometheus metrics to PATH (atomically), for node_exporter\'s textfile collector' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print nothing but results and errors'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Print details of what was fetched, parsed and decided (on stderr)'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from set" -l url -d 'A new URL' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from set" -l ref -d 'Branch to follow (default main), tag:NAME, or commit:SHA to pin' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from set" -l path -d 'Folder in the repo to read (relative, no \'..\')' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from set" -l layout -d 'How the repo declares resources [default: fleet]' -r -f -a "fleet\t''
manifests\t''
nodered\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from set" -l namespace -d 'Namespace the repo\'s resources live in [default: default]' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from set" -l interval -d 'Seconds between scheduled syncs, 60 to 31536000 (a year) [default: 300]' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from set" -l max-proposals -d 'New proposals one run may open, 0 to 1000000; 0 = no cap [default: 25, env GITSYNC_MAX_PROPOSALS_PER_RUN]' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from set" -l username -d 'Username for http(s), as env:VAR or file:/PATH (never the value itself)' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from set" -l password -d 'Password or access token for http(s), as env:VAR or file:/PATH' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from set" -l ssh-key -d 'Private key for ssh, as env:VAR (the key\'s text) or file:/PATH' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from set" -l ssh-passphrase -d 'Passphrase of the ssh key, as env:VAR or file:/PATH' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from set" -l known-hosts -d 'known_hosts file that pins the ssh server\'s host key [default: ~/.ssh/known_hosts]' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from set" -l ca-file -d 'PEM file of CA certificates to trust for https (e.g. a company CA)' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from set" -l compile -d 'Turn matching files into JSON resources with COMMAND (manifests layout; repeatable)' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from set" -l apply-hook -d 'Run COMMAND (no shell; the change as JSON on stdin) when applying a change of KIND, or of any kind with *; a failure rolls the apply back (repeatable; on set, replaces the list)' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from set" -l hook-timeout -d 'Seconds an apply hook may run before it is killed and the apply rolled back, 1 to 86400 [default: 300]' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from set" -l max-attempts -d 'Failed apply attempts recovery makes before it stops and waits for re-approval, 1 to 100 [default: 3]' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from set" -l fetch-timeout -d 'Seconds one fetch or check of the remote may take in all, 10 to 86400 [default: 300]' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from set" -l catalog -d 'Node catalog in Node-RED\'s .config.nodes.json format (nodered layout)' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from set" -l allow-package-source -d 'Let package.json install packages from SOURCE, not only the npm registry: git, url (tarballs), file (local paths) or alias (npm:other@1.2.3); each runs code the repository picks (nodered layout; repeatable; on set, replaces the list, and none clears it)' -r -f -a "git\t''
url\t''
file\t''
alias\t''
none\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from set" -l state -d 'The SQLite state file [env: GITSYNC_STATE] [default: $XDG_STATE_HOME/gitsync/state.db, else ~/.local/state/gitsync/state.db]' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from set" -s o -l output -d 'Output format: tables for people, JSON or YAML for scripts (on stdout only)' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from set" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from set" -l metrics-file -d 'After each sync, write Prometheus metrics to PATH (atomically), for node_exporter\'s textfile collector' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from set" -l auto-apply -d 'Apply creates and updates without review (destroys always wait)'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from set" -l paused -d 'Register it paused: no scheduled syncs until resumed'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from set" -l full-history -d 'Fetch the full history instead of only the commit the ref points at'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from set" -l no-auto-apply -d 'Turn auto-apply off'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from set" -l no-full-history -d 'Go back to shallow fetches (depth 1)'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from set" -l no-verify -d 'Change it without asking the remote whether it answers'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from set" -s q -l quiet -d 'Print nothing but results and errors'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from set" -s v -l verbose -d 'Print details of what was fetched, parsed and decided (on stderr)'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from pause" -l state -d 'The SQLite state file [env: GITSYNC_STATE] [default: $XDG_STATE_HOME/gitsync/state.db, else ~/.local/state/gitsync/state.db]' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from pause" -s o -l output -d 'Output format: tables for people, JSON or YAML for scripts (on stdout only)' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from pause" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from pause" -l metrics-file -d 'After each sync, write Prometheus metrics to PATH (atomically), for node_exporter\'s textfile collector' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from pause" -s q -l quiet -d 'Print nothing but results and errors'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from pause" -s v -l verbose -d 'Print details of what was fetched, parsed and decided (on stderr)'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from pause" -s h -l help -d 'Print help'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from resume" -l state -d 'The SQLite state file [env: GITSYNC_STATE] [default: $XDG_STATE_HOME/gitsync/state.db, else ~/.local/state/gitsync/state.db]' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from resume" -s o -l output -d 'Output format: tables for people, JSON or YAML for scripts (on stdout only)' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from resume" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from resume" -l metrics-file -d 'After each sync, write Prometheus metrics to PATH (atomically), for node_exporter\'s textfile collector' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from resume" -s q -l quiet -d 'Print nothing but results and errors'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from resume" -s v -l verbose -d 'Print details of what was fetched, parsed and decided (on stderr)'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from resume" -s h -l help -d 'Print help'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from remove" -l state -d 'The SQLite state file [env: GITSYNC_STATE] [default: $XDG_STATE_HOME/gitsync/state.db, else ~/.local/state/gitsync/state.db]' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from remove" -s o -l output -d 'Output format: tables for people, JSON or YAML for scripts (on stdout only)' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from remove" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from remove" -l metrics-file -d 'After each sync, write Prometheus metrics to PATH (atomically), for node_exporter\'s textfile collector' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from remove" -l prune -d 'Open destroy proposals for every live resource the repo owns'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from remove" -s q -l quiet -d 'Print nothing but results and errors'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from remove" -s v -l verbose -d 'Print details of what was fetched, parsed and decided (on stderr)'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from help" -f -a "add" -d 'Register a repo: where desired state comes from and how it is reconciled'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from help" -f -a "list" -d 'List registered repos'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one repo'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from help" -f -a "set" -d 'Change a repo (pause it first). An empty credential, --known-hosts or --ca-file value forgets it'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from help" -f -a "pause" -d 'Stop (pause) or restart (resume) a repo\'s scheduled syncs'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from help" -f -a "resume" -d 'Stop (pause) or restart (resume) a repo\'s scheduled syncs'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Forget a repo; its live resources stay unless --prune'
complete -c gitsync -n "__fish_gitsync_using_subcommand repo; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gitsync -n "__fish_gitsync_using_subcommand sync" -l keep-success-days -d 'Keep successful runs this many days, 1 to 36500' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand sync" -l keep-failed-days -d 'Keep failed and partial runs this many days, 1 to 36500' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand sync" -l state -d 'The SQLite state file [env: GITSYNC_STATE] [default: $XDG_STATE_HOME/gitsync/state.db, else ~/.local/state/gitsync/state.db]' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand sync" -s o -l output -d 'Output format: tables for people, JSON or YAML for scripts (on stdout only)' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand sync" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand sync" -l metrics-file -d 'After each sync, write Prometheus metrics to PATH (atomically), for node_exporter\'s textfile collector' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand sync" -l all -d 'Sync every active repo now'
complete -c gitsync -n "__fish_gitsync_using_subcommand sync" -l force -d 'Sync paused repos too'
complete -c gitsync -n "__fish_gitsync_using_subcommand sync" -s q -l quiet -d 'Print nothing but results and errors'
complete -c gitsync -n "__fish_gitsync_using_subcommand sync" -s v -l verbose -d 'Print details of what was fetched, parsed and decided (on stderr)'
complete -c gitsync -n "__fish_gitsync_using_subcommand sync" -s h -l help -d 'Print help'
complete -c gitsync -n "__fish_gitsync_using_subcommand diff" -l state -d 'The SQLite state file [env: GITSYNC_STATE] [default: $XDG_STATE_HOME/gitsync/state.db, else ~/.local/state/gitsync/state.db]' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand diff" -s o -l output -d 'Output format: tables for people, JSON or YAML for scripts (on stdout only)' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand diff" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand diff" -l metrics-file -d 'After each sync, write Prometheus metrics to PATH (atomically), for node_exporter\'s textfile collector' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand diff" -l exit-code -d 'Exit 3 when there are differences, 0 when there are none'
complete -c gitsync -n "__fish_gitsync_using_subcommand diff" -l offline -d 'Use the mirror as last fetched; do not contact the remote'
complete -c gitsync -n "__fish_gitsync_using_subcommand diff" -s q -l quiet -d 'Print nothing but results and errors'
complete -c gitsync -n "__fish_gitsync_using_subcommand diff" -s v -l verbose -d 'Print details of what was fetched, parsed and decided (on stderr)'
complete -c gitsync -n "__fish_gitsync_using_subcommand diff" -s h -l help -d 'Print help'
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and not __fish_seen_subcommand_from list show approve reject ignore help" -l state -d 'The SQLite state file [env: GITSYNC_STATE] [default: $XDG_STATE_HOME/gitsync/state.db, else ~/.local/state/gitsync/state.db]' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and not __fish_seen_subcommand_from list show approve reject ignore help" -s o -l output -d 'Output format: tables for people, JSON or YAML for scripts (on stdout only)' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and not __fish_seen_subcommand_from list show approve reject ignore help" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and not __fish_seen_subcommand_from list show approve reject ignore help" -l metrics-file -d 'After each sync, write Prometheus metrics to PATH (atomically), for node_exporter\'s textfile collector' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and not __fish_seen_subcommand_from list show approve reject ignore help" -s q -l quiet -d 'Print nothing but results and errors'
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and not __fish_seen_subcommand_from list show approve reject ignore help" -s v -l verbose -d 'Print details of what was fetched, parsed and decided (on stderr)'
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and not __fish_seen_subcommand_from list show approve reject ignore help" -s h -l help -d 'Print help'
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and not __fish_seen_subcommand_from list show approve reject ignore help" -f -a "list" -d 'List proposals (default: open ones, pending_review and approved)'
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and not __fish_seen_subcommand_from list show approve reject ignore help" -f -a "show" -d 'Show one proposal with its full diff'
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and not __fish_seen_subcommand_from list show approve reject ignore help" -f -a "approve" -d 'Approve proposals (reviewer defaults to $USER); --apply applies them at once'
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and not __fish_seen_subcommand_from list show approve reject ignore help" -f -a "reject" -d 'Reject proposals: live state stays; the diff is not reopened until it changes'
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and not __fish_seen_subcommand_from list show approve reject ignore help" -f -a "ignore" -d 'Ignore proposals: live state stays; the diff is not reopened until it changes'
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and not __fish_seen_subcommand_from list show approve reject ignore help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from list" -l repo -d 'Only this repo\'s' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from list" -l status -d 'pending_review, approved, applied, rejected, ignored, superseded, open or all' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from list" -l kind -d 'Only this kind' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from list" -s n -l namespace -d 'Only this namespace' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from list" -l state -d 'The SQLite state file [env: GITSYNC_STATE] [default: $XDG_STATE_HOME/gitsync/state.db, else ~/.local/state/gitsync/state.db]' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format: tables for people, JSON or YAML for scripts (on stdout only)' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from list" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from list" -l metrics-file -d 'After each sync, write Prometheus metrics to PATH (atomically), for node_exporter\'s textfile collector' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print nothing but results and errors'
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Print details of what was fetched, parsed and decided (on stderr)'
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from show" -l state -d 'The SQLite state file [env: GITSYNC_STATE] [default: $XDG_STATE_HOME/gitsync/state.db, else ~/.local/state/gitsync/state.db]' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format: tables for people, JSON or YAML for scripts (on stdout only)' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from show" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from show" -l metrics-file -d 'After each sync, write Prometheus metrics to PATH (atomically), for node_exporter\'s textfile collector' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print nothing but results and errors'
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Print details of what was fetched, parsed and decided (on stderr)'
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from approve" -l repo -r
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from approve" -l kind -r
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from approve" -l change -d 'create, update or destroy' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from approve" -l by -d 'Who approves [default: $USER]' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from approve" -l state -d 'The SQLite state file [env: GITSYNC_STATE] [default: $XDG_STATE_HOME/gitsync/state.db, else ~/.local/state/gitsync/state.db]' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from approve" -s o -l output -d 'Output format: tables for people, JSON or YAML for scripts (on stdout only)' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from approve" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from approve" -l metrics-file -d 'After each sync, write Prometheus metrics to PATH (atomically), for node_exporter\'s textfile collector' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from approve" -l all -d 'Every open proposal (narrow with --repo, --kind, --change)'
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from approve" -l apply -d 'Apply the approved proposals at once'
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from approve" -s q -l quiet -d 'Print nothing but results and errors'
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from approve" -s v -l verbose -d 'Print details of what was fetched, parsed and decided (on stderr)'
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from approve" -s h -l help -d 'Print help'
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from reject" -l reason -d 'Why' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from reject" -l by -r
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from reject" -l state -d 'The SQLite state file [env: GITSYNC_STATE] [default: $XDG_STATE_HOME/gitsync/state.db, else ~/.local/state/gitsync/state.db]' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from reject" -s o -l output -d 'Output format: tables for people, JSON or YAML for scripts (on stdout only)' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from reject" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from reject" -l metrics-file -d 'After each sync, write Prometheus metrics to PATH (atomically), for node_exporter\'s textfile collector' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from reject" -s q -l quiet -d 'Print nothing but results and errors'
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from reject" -s v -l verbose -d 'Print details of what was fetched, parsed and decided (on stderr)'
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from reject" -s h -l help -d 'Print help'
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from ignore" -l by -r
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from ignore" -l state -d 'The SQLite state file [env: GITSYNC_STATE] [default: $XDG_STATE_HOME/gitsync/state.db, else ~/.local/state/gitsync/state.db]' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from ignore" -s o -l output -d 'Output format: tables for people, JSON or YAML for scripts (on stdout only)' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from ignore" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from ignore" -l metrics-file -d 'After each sync, write Prometheus metrics to PATH (atomically), for node_exporter\'s textfile collector' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from ignore" -s q -l quiet -d 'Print nothing but results and errors'
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from ignore" -s v -l verbose -d 'Print details of what was fetched, parsed and decided (on stderr)'
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from ignore" -s h -l help -d 'Print help'
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from help" -f -a "list" -d 'List proposals (default: open ones, pending_review and approved)'
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one proposal with its full diff'
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from help" -f -a "approve" -d 'Approve proposals (reviewer defaults to $USER); --apply applies them at once'
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from help" -f -a "reject" -d 'Reject proposals: live state stays; the diff is not reopened until it changes'
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from help" -f -a "ignore" -d 'Ignore proposals: live state stays; the diff is not reopened until it changes'
complete -c gitsync -n "__fish_gitsync_using_subcommand proposals; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gitsync -n "__fish_gitsync_using_subcommand apply" -l state -d 'The SQLite state file [env: GITSYNC_STATE] [default: $XDG_STATE_HOME/gitsync/state.db, else ~/.local/state/gitsync/state.db]' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand apply" -s o -l output -d 'Output format: tables for people, JSON or YAML for scripts (on stdout only)' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand apply" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand apply" -l metrics-file -d 'After each sync, write Prometheus metrics to PATH (atomically), for node_exporter\'s textfile collector' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand apply" -s q -l quiet -d 'Print nothing but results and errors'
complete -c gitsync -n "__fish_gitsync_using_subcommand apply" -s v -l verbose -d 'Print details of what was fetched, parsed and decided (on stderr)'
complete -c gitsync -n "__fish_gitsync_using_subcommand apply" -s h -l help -d 'Print help'
complete -c gitsync -n "__fish_gitsync_using_subcommand status" -s n -l namespace -d 'Only the repos of this namespace' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand status" -l state -d 'The SQLite state file [env: GITSYNC_STATE] [default: $XDG_STATE_HOME/gitsync/state.db, else ~/.local/state/gitsync/state.db]' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand status" -s o -l output -d 'Output format: tables for people, JSON or YAML for scripts (on stdout only)' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand status" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand status" -l metrics-file -d 'After each sync, write Prometheus metrics to PATH (atomically), for node_exporter\'s textfile collector' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand status" -l exit-code -d 'Exit 3 when any repo is not in-sync'
complete -c gitsync -n "__fish_gitsync_using_subcommand status" -s q -l quiet -d 'Print nothing but results and errors'
complete -c gitsync -n "__fish_gitsync_using_subcommand status" -s v -l verbose -d 'Print details of what was fetched, parsed and decided (on stderr)'
complete -c gitsync -n "__fish_gitsync_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gitsync -n "__fish_gitsync_using_subcommand runs; and not __fish_seen_subcommand_from show help" -l repo -d 'Only this repo\'s runs' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand runs; and not __fish_seen_subcommand_from show help" -l limit -d 'At most N runs' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand runs; and not __fish_seen_subcommand_from show help" -l state -d 'The SQLite state file [env: GITSYNC_STATE] [default: $XDG_STATE_HOME/gitsync/state.db, else ~/.local/state/gitsync/state.db]' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand runs; and not __fish_seen_subcommand_from show help" -s o -l output -d 'Output format: tables for people, JSON or YAML for scripts (on stdout only)' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand runs; and not __fish_seen_subcommand_from show help" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand runs; and not __fish_seen_subcommand_from show help" -l metrics-file -d 'After each sync, write Prometheus metrics to PATH (atomically), for node_exporter\'s textfile collector' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand runs; and not __fish_seen_subcommand_from show help" -s q -l quiet -d 'Print nothing but results and errors'
complete -c gitsync -n "__fish_gitsync_using_subcommand runs; and not __fish_seen_subcommand_from show help" -s v -l verbose -d 'Print details of what was fetched, parsed and decided (on stderr)'
complete -c gitsync -n "__fish_gitsync_using_subcommand runs; and not __fish_seen_subcommand_from show help" -s h -l help -d 'Print help'
complete -c gitsync -n "__fish_gitsync_using_subcommand runs; and not __fish_seen_subcommand_from show help" -f -a "show" -d 'Show one run'
complete -c gitsync -n "__fish_gitsync_using_subcommand runs; and not __fish_seen_subcommand_from show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gitsync -n "__fish_gitsync_using_subcommand runs; and __fish_seen_subcommand_from show" -l state -d 'The SQLite state file [env: GITSYNC_STATE] [default: $XDG_STATE_HOME/gitsync/state.db, else ~/.local/state/gitsync/state.db]' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand runs; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format: tables for people, JSON or YAML for scripts (on stdout only)' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand runs; and __fish_seen_subcommand_from show" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand runs; and __fish_seen_subcommand_from show" -l metrics-file -d 'After each sync, write Prometheus metrics to PATH (atomically), for node_exporter\'s textfile collector' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand runs; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print nothing but results and errors'
complete -c gitsync -n "__fish_gitsync_using_subcommand runs; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Print details of what was fetched, parsed and decided (on stderr)'
complete -c gitsync -n "__fish_gitsync_using_subcommand runs; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c gitsync -n "__fish_gitsync_using_subcommand runs; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one run'
complete -c gitsync -n "__fish_gitsync_using_subcommand runs; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gitsync -n "__fish_gitsync_using_subcommand get" -s n -l namespace -d 'Only this namespace' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand get" -l state -d 'The SQLite state file [env: GITSYNC_STATE] [default: $XDG_STATE_HOME/gitsync/state.db, else ~/.local/state/gitsync/state.db]' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand get" -s o -l output -d 'Output format: tables for people, JSON or YAML for scripts (on stdout only)' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand get" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand get" -l metrics-file -d 'After each sync, write Prometheus metrics to PATH (atomically), for node_exporter\'s textfile collector' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand get" -s q -l quiet -d 'Print nothing but results and errors'
complete -c gitsync -n "__fish_gitsync_using_subcommand get" -s v -l verbose -d 'Print details of what was fetched, parsed and decided (on stderr)'
complete -c gitsync -n "__fish_gitsync_using_subcommand get" -s h -l help -d 'Print help'
complete -c gitsync -n "__fish_gitsync_using_subcommand history" -s n -l namespace -r
complete -c gitsync -n "__fish_gitsync_using_subcommand history" -l state -d 'The SQLite state file [env: GITSYNC_STATE] [default: $XDG_STATE_HOME/gitsync/state.db, else ~/.local/state/gitsync/state.db]' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand history" -s o -l output -d 'Output format: tables for people, JSON or YAML for scripts (on stdout only)' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand history" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand history" -l metrics-file -d 'After each sync, write Prometheus metrics to PATH (atomically), for node_exporter\'s textfile collector' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand history" -s q -l quiet -d 'Print nothing but results and errors'
complete -c gitsync -n "__fish_gitsync_using_subcommand history" -s v -l verbose -d 'Print details of what was fetched, parsed and decided (on stderr)'
complete -c gitsync -n "__fish_gitsync_using_subcommand history" -s h -l help -d 'Print help'
complete -c gitsync -n "__fish_gitsync_using_subcommand events" -l since -d 'Only events at or after this time (RFC 3339)' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand events" -l repo -d 'Only this repo\'s events' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand events" -l limit -d 'At most N events' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand events" -l state -d 'The SQLite state file [env: GITSYNC_STATE] [default: $XDG_STATE_HOME/gitsync/state.db, else ~/.local/state/gitsync/state.db]' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand events" -s o -l output -d 'Output format: tables for people, JSON or YAML for scripts (on stdout only)' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand events" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand events" -l metrics-file -d 'After each sync, write Prometheus metrics to PATH (atomically), for node_exporter\'s textfile collector' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand events" -s q -l quiet -d 'Print nothing but results and errors'
complete -c gitsync -n "__fish_gitsync_using_subcommand events" -s v -l verbose -d 'Print details of what was fetched, parsed and decided (on stderr)'
complete -c gitsync -n "__fish_gitsync_using_subcommand events" -s h -l help -d 'Print help'
complete -c gitsync -n "__fish_gitsync_using_subcommand halt" -l reason -d 'Why (shown by \'gitsync status\')' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand halt" -s n -l namespace -d 'Halt only this namespace' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand halt" -l state -d 'The SQLite state file [env: GITSYNC_STATE] [default: $XDG_STATE_HOME/gitsync/state.db, else ~/.local/state/gitsync/state.db]' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand halt" -s o -l output -d 'Output format: tables for people, JSON or YAML for scripts (on stdout only)' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand halt" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand halt" -l metrics-file -d 'After each sync, write Prometheus metrics to PATH (atomically), for node_exporter\'s textfile collector' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand halt" -s q -l quiet -d 'Print nothing but results and errors'
complete -c gitsync -n "__fish_gitsync_using_subcommand halt" -s v -l verbose -d 'Print details of what was fetched, parsed and decided (on stderr)'
complete -c gitsync -n "__fish_gitsync_using_subcommand halt" -s h -l help -d 'Print help'
complete -c gitsync -n "__fish_gitsync_using_subcommand unhalt" -s n -l namespace -d 'Lift only this namespace\'s halt (default: every halt)' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand unhalt" -l state -d 'The SQLite state file [env: GITSYNC_STATE] [default: $XDG_STATE_HOME/gitsync/state.db, else ~/.local/state/gitsync/state.db]' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand unhalt" -s o -l output -d 'Output format: tables for people, JSON or YAML for scripts (on stdout only)' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand unhalt" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand unhalt" -l metrics-file -d 'After each sync, write Prometheus metrics to PATH (atomically), for node_exporter\'s textfile collector' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand unhalt" -s q -l quiet -d 'Print nothing but results and errors'
complete -c gitsync -n "__fish_gitsync_using_subcommand unhalt" -s v -l verbose -d 'Print details of what was fetched, parsed and decided (on stderr)'
complete -c gitsync -n "__fish_gitsync_using_subcommand unhalt" -s h -l help -d 'Print help'
complete -c gitsync -n "__fish_gitsync_using_subcommand gc" -l keep-success-days -d 'Keep successful runs this many days, 1 to 36500' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand gc" -l keep-failed-days -d 'Keep failed and partial runs this many days, 1 to 36500' -r
complete -c gitsync -n "__fish_gitsync_using_subcommand gc" -l state -d 'The SQLite state file [env: GITSYNC_STATE] [default: $XDG_STATE_HOME/gitsync/state.db, else ~/.local/state/gitsync/state.db]' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand gc" -s o -l output -d 'Output format: tables for people, JSON or YAML for scripts (on stdout only)' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand gc" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand gc" -l metrics-file -d 'After each sync, write Prometheus metrics to PATH (atomically), for node_exporter\'s textfile collector' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand gc" -l dry-run -d 'Only say what would be deleted'
complete -c gitsync -n "__fish_gitsync_using_subcommand gc" -s q -l quiet -d 'Print nothing but results and errors'
complete -c gitsync -n "__fish_gitsync_using_subcommand gc" -s v -l verbose -d 'Print details of what was fetched, parsed and decided (on stderr)'
complete -c gitsync -n "__fish_gitsync_using_subcommand gc" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gitsync -n "__fish_gitsync_using_subcommand completions" -l state -d 'The SQLite state file [env: GITSYNC_STATE] [default: $XDG_STATE_HOME/gitsync/state.db, else ~/.local/state/gitsync/state.db]' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand completions" -s o -l output -d 'Output format: tables for people, JSON or YAML for scripts (on stdout only)' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand completions" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand completions" -l metrics-file -d 'After each sync, write Prometheus metrics to PATH (atomically), for node_exporter\'s textfile collector' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand completions" -s q -l quiet -d 'Print nothing but results and errors'
complete -c gitsync -n "__fish_gitsync_using_subcommand completions" -s v -l verbose -d 'Print details of what was fetched, parsed and decided (on stderr)'
complete -c gitsync -n "__fish_gitsync_using_subcommand completions" -s h -l help -d 'Print help'
complete -c gitsync -n "__fish_gitsync_using_subcommand man" -l state -d 'The SQLite state file [env: GITSYNC_STATE] [default: $XDG_STATE_HOME/gitsync/state.db, else ~/.local/state/gitsync/state.db]' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand man" -s o -l output -d 'Output format: tables for people, JSON or YAML for scripts (on stdout only)' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand man" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gitsync -n "__fish_gitsync_using_subcommand man" -l metrics-file -d 'After each sync, write Prometheus metrics to PATH (atomically), for node_exporter\'s textfile collector' -r -F
complete -c gitsync -n "__fish_gitsync_using_subcommand man" -s q -l quiet -d 'Print nothing but results and errors'
complete -c gitsync -n "__fish_gitsync_using_subcommand man" -s v -l verbose -d 'Print details of what was fetched, parsed and decided (on stderr)'
complete -c gitsync -n "__fish_gitsync_using_subcommand man" -s h -l help -d 'Print help'
complete -c gitsync -n "__fish_gitsync_using_subcommand help; and not __fish_seen_subcommand_from repo sync diff proposals apply status runs get history events halt unhalt gc completions man help" -f -a "repo" -d 'Register, list, change, pause and remove repos'
complete -c gitsync -n "__fish_gitsync_using_subcommand help; and not __fish_seen_subcommand_from repo sync diff proposals apply status runs get history events halt unhalt gc completions man help" -f -a "sync" -d 'Sync repos: every active repo that is due, the named ones now, or --all now'
complete -c gitsync -n "__fish_gitsync_using_subcommand help; and not __fish_seen_subcommand_from repo sync diff proposals apply status runs get history events halt unhalt gc completions man help" -f -a "diff" -d 'Show what a sync would change, without changing anything'
complete -c gitsync -n "__fish_gitsync_using_subcommand help; and not __fish_seen_subcommand_from repo sync diff proposals apply status runs get history events halt unhalt gc completions man help" -f -a "proposals" -d 'List, show, approve, reject and ignore proposals'
complete -c gitsync -n "__fish_gitsync_using_subcommand help; and not __fish_seen_subcommand_from repo sync diff proposals apply status runs get history events halt unhalt gc completions man help" -f -a "apply" -d 'Apply approved proposals, in dependency order'
complete -c gitsync -n "__fish_gitsync_using_subcommand help; and not __fish_seen_subcommand_from repo sync diff proposals apply status runs get history events halt unhalt gc completions man help" -f -a "status" -d 'Health of every repo: in-sync, behind, failing, stale, paused, never-synced'
complete -c gitsync -n "__fish_gitsync_using_subcommand help; and not __fish_seen_subcommand_from repo sync diff proposals apply status runs get history events halt unhalt gc completions man help" -f -a "runs" -d 'Sync-run history, newest first'
complete -c gitsync -n "__fish_gitsync_using_subcommand help; and not __fish_seen_subcommand_from repo sync diff proposals apply status runs get history events halt unhalt gc completions man help" -f -a "get" -d 'Show the live state'
complete -c gitsync -n "__fish_gitsync_using_subcommand help; and not __fish_seen_subcommand_from repo sync diff proposals apply status runs get history events halt unhalt gc completions man help" -f -a "history" -d 'Every applied change of one resource, newest first'
complete -c gitsync -n "__fish_gitsync_using_subcommand help; and not __fish_seen_subcommand_from repo sync diff proposals apply status runs get history events halt unhalt gc completions man help" -f -a "events" -d 'The audit trail: every state change with actor and time, oldest first'
complete -c gitsync -n "__fish_gitsync_using_subcommand help; and not __fish_seen_subcommand_from repo sync diff proposals apply status runs get history events halt unhalt gc completions man help" -f -a "halt" -d 'Stop auto-apply (everywhere, or in one namespace) until \'gitsync unhalt\''
complete -c gitsync -n "__fish_gitsync_using_subcommand help; and not __fish_seen_subcommand_from repo sync diff proposals apply status runs get history events halt unhalt gc completions man help" -f -a "unhalt" -d 'Lift every halt, or one namespace\'s: auto-apply resumes on the next sync'
complete -c gitsync -n "__fish_gitsync_using_subcommand help; and not __fish_seen_subcommand_from repo sync diff proposals apply status runs get history events halt unhalt gc completions man help" -f -a "gc" -d 'Apply the retention policy now (successful runs 90 days, failed and partial 365)'
complete -c gitsync -n "__fish_gitsync_using_subcommand help; and not __fish_seen_subcommand_from repo sync diff proposals apply status runs get history events halt unhalt gc completions man help" -f -a "completions" -d 'Print a shell completion script'
complete -c gitsync -n "__fish_gitsync_using_subcommand help; and not __fish_seen_subcommand_from repo sync diff proposals apply status runs get history events halt unhalt gc completions man help" -f -a "man" -d 'Print the man page (roff)'
complete -c gitsync -n "__fish_gitsync_using_subcommand help; and not __fish_seen_subcommand_from repo sync diff proposals apply status runs get history events halt unhalt gc completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gitsync -n "__fish_gitsync_using_subcommand help; and __fish_seen_subcommand_from repo" -f -a "add" -d 'Register a repo: where desired state comes from and how it is reconciled'
complete -c gitsync -n "__fish_gitsync_using_subcommand help; and __fish_seen_subcommand_from repo" -f -a "list" -d 'List registered repos'
complete -c gitsync -n "__fish_gitsync_using_subcommand help; and __fish_seen_subcommand_from repo" -f -a "show" -d 'Show one repo'
complete -c gitsync -n "__fish_gitsync_using_subcommand help; and __fish_seen_subcommand_from repo" -f -a "set" -d 'Change a repo (pause it first). An empty credential, --known-hosts or --ca-file value forgets it'
complete -c gitsync -n "__fish_gitsync_using_subcommand help; and __fish_seen_subcommand_from repo" -f -a "pause" -d 'Stop (pause) or restart (resume) a repo\'s scheduled syncs'
complete -c gitsync -n "__fish_gitsync_using_subcommand help; and __fish_seen_subcommand_from repo" -f -a "resume" -d 'Stop (pause) or restart (resume) a repo\'s scheduled syncs'
complete -c gitsync -n "__fish_gitsync_using_subcommand help; and __fish_seen_subcommand_from repo" -f -a "remove" -d 'Forget a repo; its live resources stay unless --prune'
complete -c gitsync -n "__fish_gitsync_using_subcommand help; and __fish_seen_subcommand_from proposals" -f -a "list" -d 'List proposals (default: open ones, pending_review and approved)'
complete -c gitsync -n "__fish_gitsync_using_subcommand help; and __fish_seen_subcommand_from proposals" -f -a "show" -d 'Show one proposal with its full diff'
complete -c gitsync -n "__fish_gitsync_using_subcommand help; and __fish_seen_subcommand_from proposals" -f -a "approve" -d 'Approve proposals (reviewer defaults to $USER); --apply applies them at once'
complete -c gitsync -n "__fish_gitsync_using_subcommand help; and __fish_seen_subcommand_from proposals" -f -a "reject" -d 'Reject proposals: live state stays; the diff is not reopened until it changes'
complete -c gitsync -n "__fish_gitsync_using_subcommand help; and __fish_seen_subcommand_from proposals" -f -a "ignore" -d 'Ignore proposals: live state stays; the diff is not reopened until it changes'
complete -c gitsync -n "__fish_gitsync_using_subcommand help; and __fish_seen_subcommand_from runs" -f -a "show" -d 'Show one run'
