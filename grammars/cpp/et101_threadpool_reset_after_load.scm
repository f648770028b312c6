; ET101 threadpool-reset-after-load: declarations that give receivers their types
; (Module, Program, runners). Run only over the byte range of one function.
(declaration) @declaration
(parameter_declaration) @parameter
(optional_parameter_declaration) @parameter
