-- executorch-lsp for Neovim 0.11+ (vim.lsp.config format).
-- Put this file on your 'runtimepath' as lsp/executorch_lsp.lua, then: vim.lsp.enable('executorch_lsp')
---@type vim.lsp.Config
return {
  cmd = { 'executorch-lsp', 'serve' },
  -- 'log': ExecuTorch runtime logs (map *.log to it with vim.filetype.add, see the README).
  filetypes = { 'cpp', 'c', 'objcpp', 'cuda', 'cmake', 'bzl', 'python', 'log' },
  root_markers = { '.executorch-lsp.toml', 'pyproject.toml', 'CMakeLists.txt', '.buckconfig', '.git' },
  -- Editor settings, same keys as the configuration file (they take precedence).
  settings = {
    executorchLsp = {
      -- select = { 'ET1', 'ET2' },
      -- ignore = { 'ET105' },
      -- severity = { ET101 = 'warning' },
    },
  },
}
