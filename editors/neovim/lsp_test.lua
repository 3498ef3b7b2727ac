-- Drives `baton lsp` with Neovim's built-in LSP client (an implementation of the protocol
-- independent of ours), headless, as a user would: open an example with a typo, get the
-- diagnostic, apply the quick fix, hover, go to definition, rename a role, format.
-- Every request has a bounded timeout; any missing or wrong answer exits non-zero.
-- Works with Neovim 0.7 (Debian 12's) and later: only long-standing APIs are used.
-- Run by scripts/neovim-test.sh:
--   BATON=path/to/baton FILE=copy-of-example.baton nvim --headless --clean -c 'luafile lsp_test.lua'
local baton = assert(os.getenv('BATON'), 'BATON is not set')
local file = assert(os.getenv('FILE'), 'FILE is not set')
local TIMEOUT = 10000

local function fail(message)
  io.stderr:write('FAIL: ' .. message .. '\n')
  vim.cmd('cquit 1')
end

local function ok(message)
  io.stdout:write('ok: ' .. message .. '\n')
end

local function text()
  return table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n') .. '\n'
end

-- The 0-based position of the `nth` (1-based) plain occurrence of `word`, plus `shift`
-- characters.
local function find(word, nth, shift)
  local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  local seen = 0
  for row, line in ipairs(lines) do
    local from = 1
    while true do
      local at = string.find(line, word, from, true)
      if not at then break end
      seen = seen + 1
      if seen == (nth or 1) then
        return { line = row - 1, character = at - 1 + (shift or 0) }
      end
      from = at + 1
    end
  end
  fail('`' .. word .. '` not found in the buffer')
end

vim.cmd('edit ' .. vim.fn.fnameescape(file))
local buf = vim.api.nvim_get_current_buf()
local uri = vim.uri_from_bufnr(buf)
local client_id = vim.lsp.start_client({
  name = 'baton',
  cmd = { baton, 'lsp' },
  root_dir = vim.fn.fnamemodify(file, ':h'),
})
if not client_id then fail('the client did not start') end
vim.lsp.buf_attach_client(buf, client_id)
local client
if not vim.wait(TIMEOUT, function()
  client = vim.lsp.get_client_by_id(client_id)
  return client ~= nil and client.initialized
end, 20) then
  fail('no answer to `initialize`')
end
ok('initialized: ' .. vim.inspect(client.server_capabilities ~= nil))

local function request(method, params)
  local answer, err = client.request_sync(method, params, TIMEOUT, buf)
  if not answer then fail(method .. ': no answer (' .. tostring(err) .. ')') end
  if answer.err then fail(method .. ': error ' .. vim.inspect(answer.err)) end
  return answer.result
end

local function at(position)
  return { textDocument = { uri = uri }, position = position }
end

-- 1. The typo is reported, with its code and range.
local diagnostics = {}
if not vim.wait(TIMEOUT, function()
  diagnostics = vim.diagnostic.get(buf)
  return #diagnostics > 0
end, 20) then
  fail('no diagnostic for the typo')
end
local typo = find('writr')
local d = diagnostics[1]
if #diagnostics ~= 1 or d.code ~= 'B0101' or d.lnum ~= typo.line or d.col ~= typo.character
  or not string.find(d.message, 'unknown role `writr`', 1, true) then
  fail('wrong diagnostic: ' .. vim.inspect(diagnostics))
end
ok('diagnostic B0101 at ' .. (d.lnum + 1) .. ':' .. (d.col + 1) .. ': ' .. d.message:gsub('\n.*', ''))

-- 2. The quick fix, applied, clears it.
local actions = request('textDocument/codeAction', {
  textDocument = { uri = uri },
  range = { start = typo, ['end'] = typo },
  context = { diagnostics = vim.lsp.diagnostic.get_line_diagnostics(buf, typo.line) },
})
local fix
for _, action in ipairs(actions or {}) do
  if action.kind == 'quickfix' and action.edit then fix = action end
end
if not fix or fix.title ~= 'Use `writer`' then fail('no quick fix: ' .. vim.inspect(actions)) end
vim.lsp.util.apply_workspace_edit(fix.edit, client.offset_encoding)
if string.find(text(), 'writr', 1, true) then fail('the quick fix did not replace the typo') end
if not vim.wait(TIMEOUT, function() return #vim.diagnostic.get(buf) == 0 end, 20) then
  fail('the diagnostic stayed after the fix: ' .. vim.inspect(vim.diagnostic.get(buf)))
end
ok('quick fix "' .. fix.title .. '" applied; no diagnostics left')

-- 3. Hover on a role says what it is and where it is used.
local hover = request('textDocument/hover', at(find('by editor', 1, 3)))
local value = hover and hover.contents and (hover.contents.value or hover.contents)
if type(value) ~= 'string' or not string.find(value, '**role** `editor` — Editor', 1, true) then
  fail('wrong hover: ' .. vim.inspect(hover))
end
ok('hover: ' .. value:gsub('\n.*', ''))

-- 4. Go to definition from a jump lands on the step.
local jump = find('-> draft', 1, 3)
local definition = request('textDocument/definition', at(jump))
local location = definition and (definition[1] or definition)
local step = find('step draft', 1, 5)
if not location or location.uri ~= uri or location.range.start.line ~= step.line
  or location.range.start.character ~= step.character then
  fail('wrong definition: ' .. vim.inspect(definition) .. ', wanted ' .. vim.inspect(step))
end
ok('definition of `draft` at line ' .. (step.line + 1))

-- 5. Rename the role `writer` across the file; its title "Writer" stays.
local uses = select(2, string.gsub(text(), '%f[%w_]writer%f[^%w_]', ''))
local rename = request('textDocument/rename',
  vim.tbl_extend('force', at(find('role writer', 1, 5)), { newName = 'author' }))
if not rename then fail('no rename edit') end
vim.lsp.util.apply_workspace_edit(rename, client.offset_encoding)
local after = text()
local left = select(2, string.gsub(after, '%f[%w_]writer%f[^%w_]', ''))
local renamed = select(2, string.gsub(after, '%f[%w_]author%f[^%w_]', ''))
if left ~= 0 or renamed ~= uses or uses < 2 or not string.find(after, '"Writer"', 1, true) then
  fail('wrong rename (' .. uses .. ' uses, ' .. renamed .. ' renamed, ' .. left .. ' left):\n' .. after)
end
if not vim.wait(TIMEOUT, function() return #vim.diagnostic.get(buf) == 0 end, 20) then
  fail('diagnostics after the rename: ' .. vim.inspect(vim.diagnostic.get(buf)))
end
ok('renamed `writer` to `author` (' .. renamed .. ' places)')

-- 6. Formatting a messed-up buffer gives what `baton fmt` gives, in minimal edits.
local row = find('decision review').line
local line = vim.api.nvim_buf_get_lines(buf, row, row + 1, false)[1]
vim.api.nvim_buf_set_lines(buf, row, row + 1, false, { '      ' .. vim.trim(line):gsub('^decision ', 'decision   ') })
local messy = text()
local expected = vim.fn.system({ baton, 'fmt', '-' }, messy)
if vim.v.shell_error ~= 0 then fail('baton fmt - failed: ' .. expected) end
local edits = request('textDocument/formatting', {
  textDocument = { uri = uri },
  options = { tabSize = 2, insertSpaces = true },
})
if type(edits) ~= 'table' or #edits == 0 then fail('no formatting edits: ' .. vim.inspect(edits)) end
vim.lsp.util.apply_text_edits(edits, buf, client.offset_encoding)
if text() ~= expected then fail('formatted buffer differs from `baton fmt`:\n' .. text()) end
if #edits ~= 1 or edits[1].range.start.line ~= row then
  fail('formatting edits are not minimal: ' .. vim.inspect(edits))
end
ok('formatted: ' .. #edits .. ' edit, buffer equals `baton fmt` output')

-- 7. Shut down cleanly.
client.stop()
vim.wait(TIMEOUT, function() return client.is_stopped() end, 20)
ok('all steps answered')
vim.cmd('qall!')
