; ET105 error-code-printed-as-number: calls with a printf-style format string, values
; shifted into a stream, and std::to_string calls.
(call_expression
  arguments: (argument_list [(string_literal) (concatenated_string)])) @call
(binary_expression operator: "<<" right: (_) @streamed) @stream
(call_expression
  function: [(identifier) (qualified_identifier)] @function
  (#match? @function "^(std::)?to_string$")) @to_string
