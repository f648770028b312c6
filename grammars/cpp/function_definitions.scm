; Shared helper: every function definition of a file, for the workspace call graph
; (which functions load a model or reset the thread pool, and whom they call).
(function_definition
  body: (compound_statement)) @function
