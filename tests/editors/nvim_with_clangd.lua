-- Neovim 0.11: executorch-lsp and clangd attached to the same C++ buffer.
-- Env: ETLSP_CMD (JSON array), ETLSP_OUT (result file), ETLSP_RTP (client-nvim folder).
local result = {}

local function run()
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].filetype = "cpp"
  vim.opt.runtimepath:prepend(assert(os.getenv("ETLSP_RTP")))
  local root = vim.fn.getcwd()
  vim.lsp.config("executorch_lsp", { cmd = vim.fn.json_decode(os.getenv("ETLSP_CMD")), root_dir = root })
  vim.lsp.config("clangd", { cmd = { "clangd" }, filetypes = { "cpp" }, root_dir = root })
  vim.lsp.enable({ "executorch_lsp", "clangd" })
  assert(vim.wait(20000, function() return #vim.lsp.get_clients({ bufnr = buf }) == 2 end, 50),
    "both servers should attach")
  assert(vim.wait(20000, function()
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if d.code == "ET101" then return true end
    end
  end, 50), "no ET101 next to clangd")
  result.encodings = {}
  for _, client in ipairs(vim.lsp.get_clients({ bufnr = buf })) do
    result.encodings[client.name] = client.offset_encoding
  end
  local warnings = {}
  vim.notify = function(message) table.insert(warnings, message) end
  for number, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local col = line:find("Error::NotFound", 1, true)
    if col then
      vim.api.nvim_win_set_cursor(0, { number, col + 8 })
      break
    end
  end
  vim.lsp.buf.hover()
  vim.wait(10000, function()
    for _, win in ipairs(vim.api.nvim_list_wins()) do
      if vim.api.nvim_win_get_config(win).relative ~= "" then
        result.hover = table.concat(vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(win), 0, -1, false), "\n")
        return true
      end
    end
  end, 50)
  result.warnings = warnings
end

vim.api.nvim_create_autocmd("VimEnter", {
  callback = function()
    vim.schedule(function()
      local ok, err = pcall(run)
      result.ok = ok
      result.error = err and tostring(err) or nil
      local file = assert(io.open(assert(os.getenv("ETLSP_OUT")), "w"))
      file:write(vim.fn.json_encode(result))
      file:close()
      vim.cmd(ok and "qa!" or "cq!")
    end)
  end,
})
