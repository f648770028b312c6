; Shared helper: declarations that give names their types (Module, Program, runners,
; Error, Result). The C++ file model runs it over one function at a time.
(declaration) @declaration
(parameter_declaration) @parameter
(optional_parameter_declaration) @parameter
