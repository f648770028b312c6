-- Headless Neovim end-to-end check of executorch-lsp (Neovim 0.7 .. 0.11+).
-- Env: ETLSP_CMD (JSON array: the server command), ETLSP_OUT (result file), ETLSP_RTP (client-nvim folder).
-- Opens the file given on the command line, waits for ET101, hovers Error::NotFound,
-- applies the ET101 quick fix and records the buffer, then opens export_model.py and waits
-- for ET402. Exits 0 on success, 1 on failure.
local out_path = assert(os.getenv("ETLSP_OUT"))
local server_cmd = vim.fn.json_decode(assert(os.getenv("ETLSP_CMD")))
local result = { nvim = tostring(vim.version().major) .. "." .. tostring(vim.version().minor) }

local function finish(ok)
  result.ok = ok
  local file = assert(io.open(out_path, "w"))
  file:write(vim.fn.json_encode(result))
  file:close()
  vim.cmd(ok and "qa!" or "cq!")
end

local function clients(buf)
  if vim.lsp.get_clients then return vim.lsp.get_clients({ bufnr = buf }) end
  return vim.lsp.buf_get_clients(buf)
end

-- The buffer's diagnostic with this code (0.7 keeps the LSP code in user_data only).
local function diagnostic_with_code(buf, code)
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.code == code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code == code) then
      return d
    end
  end
end

local function first_result(responses)
  for _, response in pairs(responses or {}) do
    if response.result then return response.result end
  end
end

local function run()
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].filetype = "cpp"
  local root = vim.fn.getcwd()
  if vim.lsp.config and vim.lsp.enable then
    vim.opt.runtimepath:prepend(assert(os.getenv("ETLSP_RTP")))
    vim.lsp.config("executorch_lsp", { cmd = server_cmd, root_dir = root })
    vim.lsp.enable("executorch_lsp")
    result.api = "vim.lsp.config"
  elseif vim.lsp.start then
    vim.lsp.start({ name = "executorch_lsp", cmd = server_cmd, root_dir = root })
    result.api = "vim.lsp.start"
  else
    local id = vim.lsp.start_client({ name = "executorch_lsp", cmd = server_cmd, root_dir = root })
    vim.lsp.buf_attach_client(buf, id)
    result.api = "vim.lsp.start_client"
  end
  assert(vim.wait(15000, function() return next(clients(buf)) ~= nil end, 20), "client never attached")
  local function et101() return diagnostic_with_code(buf, "ET101") end
  assert(vim.wait(15000, function() return et101() ~= nil end, 20), "no ET101 diagnostic")
  local diagnostic = et101()
  result.diagnostic = { lnum = diagnostic.lnum, col = diagnostic.col, message = diagnostic.message }

  local uri = vim.uri_from_bufnr(buf)
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  for number, line in ipairs(lines) do
    local col = line:find("Error::NotFound", 1, true)
    if col then
      local hover = first_result(vim.lsp.buf_request_sync(buf, "textDocument/hover", {
        textDocument = { uri = uri }, position = { line = number - 1, character = col + 8 },
      }, 10000))
      result.hover = hover and hover.contents and hover.contents.value
      break
    end
  end

  local range = {
    start = { line = diagnostic.lnum, character = diagnostic.col },
    ["end"] = { line = diagnostic.end_lnum or diagnostic.lnum, character = diagnostic.end_col },
  }
  local lsp_diagnostic = { range = range, message = diagnostic.message, code = "ET101",
                           source = "executorch-lsp", severity = 1 }
  local actions = first_result(vim.lsp.buf_request_sync(buf, "textDocument/codeAction", {
    textDocument = { uri = uri }, range = range, context = { diagnostics = { lsp_diagnostic } },
  }, 10000)) or {}
  result.actions = {}
  for _, action in ipairs(actions) do
    table.insert(result.actions, action.title)
  end
  for _, action in ipairs(actions) do
    if action.title:find("^ET101: Move") then
      vim.lsp.util.apply_workspace_edit(action.edit, "utf-16")
      break
    end
  end
  result.buffer = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), "\n")

  -- A Python export script in the same session: the running client serves it too.
  local client = clients(buf)[1]
  vim.cmd("edit export_model.py")
  local script = vim.api.nvim_get_current_buf()
  vim.bo[script].filetype = "python"
  if not vim.wait(3000, function() return next(clients(script)) ~= nil end, 20) then
    vim.lsp.buf_attach_client(script, client.id)
  end
  local function et402() return diagnostic_with_code(script, "ET402") end
  assert(vim.wait(15000, function() return et402() ~= nil end, 20), "no ET402 diagnostic")
  local found = et402()
  result.export_diagnostic = { lnum = found.lnum, col = found.col, message = found.message }
end

vim.api.nvim_create_autocmd("VimEnter", {
  callback = function()
    vim.schedule(function()
      local ok, err = pcall(run)
      if not ok then result.error = tostring(err) end
      finish(ok)
    end)
  end,
})
