; ET201 build-type-not-release: every command call, with its name and arguments.
(normal_command (identifier) @name (argument_list)? @arguments) @command
