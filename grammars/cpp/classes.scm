; Shared helper: classes and structs with a body, for members declared in headers.
(class_specifier
  name: (_) @name
  body: (field_declaration_list)) @class
(struct_specifier
  name: (_) @name
  body: (field_declaration_list)) @class
