-- cvision.saving: the file formats of models and histories.
--  * JSON with sorted keys and exact numbers (shortest text that reads back to the same double;
--    NaN/Infinity as Python's json writes them), read back with lua-cjson.
--  * safetensors: an 8-byte little-endian header length, a JSON header
--    {"<name>": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ...,
--     "__metadata__": {"<key>": "<string>", ...}} padded with spaces to a multiple of 8, then the
--    raw little-endian tensor data. Other tools (Python's safetensors, numpy) read it as is;
--    cvision adds a CRC-32 of the data to the metadata and checks it on load.
--  * every write is atomic: a temporary file in the same folder, then os.rename.
-- Readers validate everything and fail with a reason; they never return half a model.
local core = require "cvision.core"
local errors = require "cvision.util.errors"
local cjson_ok, cjson = pcall(require, "cjson")

local M = {}

---------------------------------------------------------------------------------------------------
-- JSON
---------------------------------------------------------------------------------------------------

local object_mt = {__name = "json_object"}
--- object(t) --> t, marked to be written as a JSON object even when empty
function M.object(t) return setmetatable(t or {}, object_mt) end

--- null: a value written as JSON's null (a table field that is nil is left out instead)
M.null = cjson_ok and cjson.null or setmetatable({}, {__name = "json_null"})

local function num_str(v)
  if math.type(v) == "integer" then return tostring(v) end
  if v ~= v then return "NaN" end
  if v == math.huge then return "Infinity" end
  if v == -math.huge then return "-Infinity" end
  for _, p in ipairs{"%.15g", "%.16g", "%.17g"} do
    local s = p:format(v)
    if tonumber(s) == v then
      if not s:find("[%.eEn]") then s = s .. ".0" end   -- keep floats floats, as Python does
      return s
    end
  end
end

-- JSON string: quotes, backslashes and control characters escaped; UTF-8 passes through
local named = {['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\t"] = "\\t", ["\r"] = "\\r",
               ["\b"] = "\\b", ["\f"] = "\\f"}
local function str_json(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    return named[c] or ("\\u%04x"):format(c:byte())
  end) .. '"'
end

local function is_array(t)
  if getmetatable(t) == object_mt then return false end
  local n = #t
  local count = 0
  for k in pairs(t) do
    if math.type(k) ~= "integer" or k < 1 or k > n then return false end
    count = count + 1
  end
  return count == n
end

local function encode(v, out, seen)
  local tv = type(v)
  if v == nil or v == M.null then out[#out + 1] = "null"
  elseif tv == "boolean" then out[#out + 1] = tostring(v)
  elseif tv == "number" then out[#out + 1] = num_str(v)
  elseif tv == "string" then out[#out + 1] = str_json(v)
  elseif tv == "table" then
    if seen[v] then error("encode_json: a table contains itself", 0) end
    seen[v] = true
    if is_array(v) then
      out[#out + 1] = "["
      for i = 1, #v do
        if i > 1 then out[#out + 1] = ", " end
        encode(v[i], out, seen)
      end
      out[#out + 1] = "]"
    else
      local keys = {}
      for k in pairs(v) do
        if type(k) ~= "string" and type(k) ~= "number" then
          error("encode_json: keys must be strings, got " .. type(k), 0)
        end
        keys[#keys + 1] = tostring(k)
      end
      table.sort(keys)
      out[#out + 1] = "{"
      for i, k in ipairs(keys) do
        if i > 1 then out[#out + 1] = ", " end
        out[#out + 1] = str_json(k)
        out[#out + 1] = ": "
        local val = v[k]
        if val == nil then val = v[tonumber(k)] end
        encode(val, out, seen)
      end
      out[#out + 1] = "}"
    end
    seen[v] = nil
  else
    error("encode_json: cannot encode a " .. tv, 0)
  end
end

--- encode_json(v [, keys_first]) --> string: sorted object keys, exact numbers
function M.encode_json(v)
  local out = {}
  encode(v, out, {})
  return table.concat(out)
end

local decoder
if cjson_ok then
  decoder = cjson.new()
  decoder.decode_invalid_numbers(true)
  decoder.decode_max_depth(64)
end

-- nulls become nil inside objects; integral numbers become integers (cjson reads every number
-- as a float; the writer never writes an integral float without ".0", and configs want integers)
local function fix(v)
  if type(v) ~= "table" then
    if math.type(v) == "float" and v == math.floor(v) and math.abs(v) < 2^53 then
      return math.tointeger(v)
    end
    return v
  end
  for k, x in pairs(v) do
    if x == cjson.null then v[k] = nil else v[k] = fix(x) end
  end
  return v
end

--- decode_json(s) --> value, or nil, reason
function M.decode_json(s)
  if not cjson_ok then return nil, "lua-cjson is not installed" end
  local ok, v = pcall(decoder.decode, s)
  if not ok then return nil, errors.clean(v) end
  return fix(v)
end

---------------------------------------------------------------------------------------------------
-- files
---------------------------------------------------------------------------------------------------

--- write_atomic(path, chunks): writes the strings of chunks to path so that it cannot tear or be
--- hijacked (core.write_file_atomic: a unique temporary in the same folder created with O_EXCL and
--- without following symlinks, fsync, rename over path, fsync of the folder). Raises "<path>:
--- <reason>" and leaves no temporary file behind on failure.
function M.write_atomic(path, chunks)
  local ok, err = core.write_file_atomic(path, chunks)
  if not ok then error(err, 0) end
end

--- read_file(path) --> the file's bytes, or nil, "<path>: <reason>": regular files only (a FIFO or
--- a device is refused at once, never read), within the max_file_bytes budget (cv.set_limits)
function M.read_file(path)
  return core.read_file(path)
end

--- save_json(path, v): atomic
function M.save_json(path, v)
  M.write_atomic(path, {M.encode_json(v), "\n"})
end

--- load_json(path) --> value (raises "<path>: <reason>")
function M.load_json(path)
  local s, err = M.read_file(path)
  if not s then error(tostring(err), 2) end
  local v, derr = M.decode_json(s)
  if v == nil then error(path .. ": invalid JSON: " .. tostring(derr), 2) end
  return v
end

---------------------------------------------------------------------------------------------------
-- safetensors
---------------------------------------------------------------------------------------------------

-- The data's CRC-32 (data_crc32) does not cover the header, where a flipped bit can turn a
-- Dropout rate or a BatchNormalization epsilon into another valid number. So the header carries
-- its own CRC-32 (header_crc32: 10 digits), computed over the whole header text with those digits
-- written as zeros. The field is found in the raw text: the pattern below cannot match inside a
-- JSON string value (quotes there are escaped).
local HEADER_CRC_HOLE = "0000000000"
local HEADER_CRC_FIELD = '"header_crc32": "' .. HEADER_CRC_HOLE .. '"'
local HEADER_CRC_PATTERN = '"header_crc32": "(%d%d%d%d%d%d%d%d%d%d)"'

local dtype_codes = {float32 = "F32", uint8 = "U8"}
local code_dtypes = {F32 = "float32", U8 = "uint8"}
local code_size = {F32 = 4, U8 = 1}

--- write_safetensors(path, entries, metadata): entries is a list of {name, tensor}; metadata a
-- table of strings. Atomic. The data's CRC-32 goes into metadata.data_crc32, the header's into
-- metadata.header_crc32.
function M.write_safetensors(path, entries, metadata)
  local header_parts = {}
  local blobs = {}
  local offset = 0
  local crc = 0
  local names = {}
  for i, e in ipairs(entries) do
    local name, t = e[1], e[2]
    if names[name] then error("write_safetensors: duplicate tensor name '" .. name .. "'", 2) end
    names[name] = true
    local code = dtype_codes[t.dtype]
    local bytes = core.tobytes(t)
    blobs[i] = bytes
    crc = core.crc32(bytes, 0, #bytes, crc)
    local shape = t.shape
    local dims = {}
    for j = 1, #shape do dims[j] = tostring(shape[j]) end
    header_parts[#header_parts + 1] = ('%s: {"dtype": "%s", "shape": [%s], "data_offsets": [%d, %d]}')
      :format(str_json(name), code, table.concat(dims, ", "), offset, offset + #bytes)
    offset = offset + #bytes
  end
  local meta = {}
  for k, v in pairs(metadata or {}) do meta[k] = tostring(v) end
  meta.data_crc32 = tostring(crc)
  meta.header_crc32 = HEADER_CRC_HOLE
  -- __metadata__ first, as Python's safetensors writes it
  table.insert(header_parts, 1, '"__metadata__": ' .. M.encode_json(meta))
  local header = "{" .. table.concat(header_parts, ", ") .. "}"
  header = header .. (" "):rep((8 - #header % 8) % 8)
  -- the header's CRC-32, computed with its own digits as zeros, goes into the hole
  local _, b = header:find(HEADER_CRC_FIELD, 1, true)
  header = header:sub(1, b - 11) .. ("%010d"):format(core.crc32(header)) .. header:sub(b)
  local chunks = {string.pack("<I8", #header), header}
  for _, blob in ipairs(blobs) do chunks[#chunks + 1] = blob end
  M.write_atomic(path, chunks)
end

--- read_safetensors(path) --> {tensors = {name = tensor}, names = {...}, metadata = {...},
-- header_checked = true when the header had a CRC (it matched)}, or nil, reason. Checks sizes,
-- the header and its CRC, every offset, shapes against byte counts and the data's CRC.
function M.read_safetensors(path)
  local s, err = M.read_file(path)
  if not s then return nil, "cannot open: " .. tostring(err):gsub("^" .. path:gsub("%p", "%%%0") .. ": ", "") end
  if #s < 8 then return nil, ("file too short (%d bytes) to be a safetensors file"):format(#s) end
  local n = string.unpack("<I8", s)
  if n <= 1 or n > #s - 8 then
    return nil, ("header length %d does not fit a file of %d bytes (truncated or not a safetensors file)")
      :format(n, #s)
  end
  local htext = s:sub(9, 8 + n)
  if not htext:match("^%s*{") then return nil, "header is not a JSON object (not a safetensors file)" end
  local header_checked = false
  local at, _, digits = htext:find(HEADER_CRC_PATTERN)
  if at then
    local hole = at + #'"header_crc32": "'
    local zeroed = htext:sub(1, hole - 1) .. HEADER_CRC_HOLE .. htext:sub(hole + 10)
    if core.crc32(zeroed) ~= tonumber(digits) then
      return nil, "header checksum mismatch (the file is corrupt)"
    end
    header_checked = true
  end
  local h, derr = M.decode_json(htext)
  if type(h) ~= "table" then return nil, "header is not valid JSON: " .. tostring(derr) end
  local data_start = 8 + n
  local data_len = #s - data_start
  local out = {tensors = {}, names = {}, metadata = {}, header_checked = header_checked}
  local meta = h.__metadata__
  if meta ~= nil then
    if type(meta) ~= "table" then return nil, "__metadata__ is not an object" end
    for k, v in pairs(meta) do out.metadata[k] = tostring(v) end
  end
  local spans = {}
  local budget = core.limits().max_tensor_bytes
  for name, e in pairs(h) do
    if name ~= "__metadata__" then
      local where = ("tensor '%s'"):format(name)
      if type(e) ~= "table" then return nil, where .. ": entry is not an object" end
      local code = e.dtype
      if not code_dtypes[code] then
        return nil, ("%s: unsupported dtype %s (cvision reads F32 and U8)"):format(where, tostring(code))
      end
      if type(e.shape) ~= "table" then return nil, where .. ": missing shape" end
      local numel = 1
      for i, d in ipairs(e.shape) do
        if math.type(d) ~= "integer" or d < 0 then return nil, where .. ": bad shape" end
        if d > 0 and numel > math.maxinteger // d // 8 then     -- overflow-checked, as the C side
          return nil, ("%s: shape [%s] is impossibly large"):format(where, table.concat(e.shape, ", "))
        end
        numel = numel * d
        if i > 8 then return nil, where .. ": too many dimensions" end
      end
      if numel * code_size[code] > budget then
        return nil, ("%s: %d bytes, over the max_tensor_bytes limit of %d (cv.set_limits)"):format(where,
          numel * code_size[code], budget)
      end
      local off = e.data_offsets
      if type(off) ~= "table" or math.type(off[1]) ~= "integer" or math.type(off[2]) ~= "integer"
          or off[1] < 0 or off[2] < off[1] then
        return nil, where .. ": bad data_offsets"
      end
      if off[2] > data_len then
        return nil, ("%s: data_offsets [%d, %d] beyond the %d bytes of data (truncated file)")
          :format(where, off[1], off[2], data_len)
      end
      if off[2] - off[1] ~= numel * code_size[code] then
        return nil, ("%s: %d bytes of data for shape [%s] %s, which needs %d"):format(where,
          off[2] - off[1], table.concat(e.shape, ", "), code, numel * code_size[code])
      end
      spans[#spans + 1] = {name = name, b = off[1], e = off[2], shape = e.shape, dtype = code_dtypes[code]}
    end
  end
  table.sort(spans, function(a, b) return a.b < b.b or (a.b == b.b and a.name < b.name) end)
  for i = 2, #spans do
    if spans[i].b < spans[i - 1].e then
      return nil, ("tensors '%s' and '%s' overlap"):format(spans[i - 1].name, spans[i].name)
    end
  end
  local want_crc = out.metadata.data_crc32
  if want_crc then
    local got = core.crc32(s, data_start, data_len)
    if tostring(got) ~= want_crc then return nil, "data checksum mismatch (the file is corrupt)" end
  end
  for _, sp in ipairs(spans) do
    out.tensors[sp.name] = core.frombytes(s, sp.shape, sp.dtype, data_start + sp.b)
    out.names[#out.names + 1] = sp.name
  end
  return out
end

return M
