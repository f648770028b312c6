; ET101 threadpool-reset-after-load: everything the order analysis needs from one file.
; Function and lambda bodies are the units of analysis.
(function_definition body: (compound_statement)) @function
(lambda_expression body: (compound_statement)) @lambda

; Declarations give receivers their types (Module, Program, runners).
(declaration) @declaration
(parameter_declaration) @parameter
(optional_parameter_declaration) @parameter
(field_declaration) @field

; Member types learnt from assignments and constructor initializer lists.
(assignment_expression left: (_) @assign.left right: (_) @assign.right)
(field_initializer (field_identifier) @init.field (argument_list) @init.args)
