; ET106 log-hook-signature: definitions of the platform hooks (et_pal_*).
(function_definition
  declarator: (function_declarator declarator: (identifier) @name) @function
  (#match? @name "^et_pal_")) @definition
(function_definition
  declarator: (pointer_declarator
    declarator: (function_declarator declarator: (identifier) @name) @function)
  (#match? @name "^et_pal_")) @definition
