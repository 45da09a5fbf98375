-- cvision.kernel.session: the Jupyter wire protocol (messaging 5.3) over cvision.zmq.
-- A message on the wire is [identities..., "<IDS|MSG>", signature, header, parent_header,
-- metadata, content, buffers...]; the signature is the hex HMAC-SHA256 of the four JSON frames
-- with the connection file's key (no key: an empty signature, nothing checked). A message whose
-- signature does not match is dropped and logged: it never reaches a handler.
-- The parent header of a reply is the request's header frame as received, byte for byte.
local zmq = require "cvision.zmq"
local native = require "cvision.kernel.native"
local saving = require "cvision.saving"

local M = {}

local DELIM = "<IDS|MSG>"
local stderr = io.stderr   -- the real one: a cell's io.stderr goes to the notebook
M.PROTOCOL_VERSION = "5.3"

local Session = {}
Session.__index = Session

local function log(...)
  stderr:write("cvision kernel: ", string.format(...), "\n")
  stderr:flush()
end
M.log = log

local function endpoint(cfg, port)
  if cfg.transport == "ipc" then return ("ipc://%s-%d"):format(cfg.ip, port) end
  return ("%s://%s:%d"):format(cfg.transport or "tcp", cfg.ip or "127.0.0.1", port)
end

local function random_hex(n)
  local f = io.open("/dev/urandom", "rb")
  local bytes = f and f:read(n)
  if f then f:close() end
  if not bytes or #bytes < n then
    bytes = {}
    for i = 1, n do bytes[i] = string.char(math.random(0, 255)) end
    bytes = table.concat(bytes)
  end
  return (bytes:gsub(".", function(c) return ("%02x"):format(c:byte()) end))
end

--- read_connection(path) --> the connection file's table, or raises naming what is wrong
function M.read_connection(path)
  local text, err = saving.read_file(path)
  if not text then error("cannot read the connection file " .. tostring(err), 0) end
  local cfg, jerr = saving.decode_json(text)
  if type(cfg) ~= "table" then error(path .. ": not a connection file (" .. tostring(jerr) .. ")", 0) end
  for _, k in ipairs{"shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"} do
    if math.type(cfg[k]) ~= "integer" then error(path .. ": " .. k .. " is missing", 0) end
  end
  local scheme = cfg.signature_scheme or "hmac-sha256"
  if cfg.key and cfg.key ~= "" and scheme ~= "hmac-sha256" then
    error(path .. ": signature_scheme " .. scheme .. " is not supported (hmac-sha256 is)", 0)
  end
  return cfg
end

--- open(cfg) --> session with its sockets bound: shell, stdin (ROUTER), iopub (PUB), control
-- (read and written through a PAIR: the ROUTER is served by a relay thread, kernel.c, which
-- wakes a running cell to answer it), and the heartbeat echoing in its own thread
function M.open(cfg)
  local s = setmetatable({key = cfg.key or "", session_id = random_hex(16), count = 0,
                          username = os.getenv("USER") or "cvision"}, Session)
  s.ctx = zmq.context()
  s.shell = s.ctx:socket("ROUTER")
  s.stdin = s.ctx:socket("ROUTER")
  s.iopub = s.ctx:socket("PUB")
  s.shell:bind(endpoint(cfg, cfg.shell_port))
  -- the control ROUTER lives in the relay's thread; s.control is its PAIR end here
  local inproc = "inproc://cvision-control-" .. s.session_id
  s.relay = native.control_relay(s.ctx, endpoint(cfg, cfg.control_port), inproc)
  s.control = s.ctx:socket("PAIR")
  s.control:connect(inproc)
  s.stdin:bind(endpoint(cfg, cfg.stdin_port))
  s.iopub:bind(endpoint(cfg, cfg.iopub_port))
  s.hb = native.heartbeat(endpoint(cfg, cfg.hb_port))
  return s
end

--- s:close(): stops the heartbeat, closes the sockets (queued messages still go out: linger)
function Session:close()
  if self.hb then self.hb:stop() end
  if self.relay then self.relay:stop() end   -- before the context ends: it closes its sockets
  for _, k in ipairs{"shell", "control", "stdin", "iopub"} do
    if self[k] then self[k]:close() end
  end
  if self.ctx then self.ctx:term() end
  self.hb, self.relay, self.ctx = nil, nil, nil
end

--- s:sign(header, parent, metadata, content) --> the message signature: the hex HMAC-SHA256 of the
--- four serialised parts with the connection file's key, "" when the key is empty (Jupyter's rule)
function Session:sign(header, parent, metadata, content)
  if self.key == "" then return "" end
  return native.hmac(self.key, header, parent, metadata, content)
end

--- s:parse(frames) --> msg {idents, header, parent_header, metadata, content, raw_header,
-- buffers}, or nil, reason (a bad signature, a malformed message)
function Session:parse(frames)
  local idents, d = {}, nil
  for i, f in ipairs(frames) do
    if f == DELIM then d = i break end
    idents[i] = f
  end
  if not d or #frames < d + 5 then return nil, "not a Jupyter message (no delimiter or too few frames)" end
  local sig, h, p, md, c = frames[d + 1], frames[d + 2], frames[d + 3], frames[d + 4], frames[d + 5]
  if self.key ~= "" and sig ~= self:sign(h, p, md, c) then return nil, "bad signature" end
  local header, herr = saving.decode_json(h)
  local parent = saving.decode_json(p)
  local metadata = saving.decode_json(md)
  local content, cerr = saving.decode_json(c)
  if type(header) ~= "table" or type(content) ~= "table" then
    return nil, "malformed JSON (" .. tostring(herr or cerr) .. ")"
  end
  local buffers = {}
  for i = d + 6, #frames do buffers[#buffers + 1] = frames[i] end
  return {idents = idents, header = header, parent_header = type(parent) == "table" and parent or {},
          metadata = type(metadata) == "table" and metadata or {}, content = content,
          raw_header = h, buffers = buffers}
end

--- s:recv(socket_name [, nowait]) --> msg | nil, reason (logged when the signature is wrong)
function Session:recv(name, nowait)
  local frames, err = self[name]:recv(nowait)
  if not frames then return nil, err end
  local msg, why = self:parse(frames)
  if not msg then
    log("dropped a message on %s: %s", name, why)
    return nil, why
  end
  msg.channel = name
  return msg
end

--- s:header(msg_type) --> JSON text of a new header
function Session:header(msg_type)
  self.count = self.count + 1
  return saving.encode_json{msg_id = ("%s_%d"):format(self.session_id, self.count),
    session = self.session_id, username = self.username, date = native.isodate(),
    msg_type = msg_type, version = M.PROTOCOL_VERSION}
end

--- s:send(socket_name, msg_type, content, parent [, idents [, metadata]]): parent is the
-- request being answered (its header goes out as the parent header) or nil
function Session:send(name, msg_type, content, parent, idents, metadata)
  local h = self:header(msg_type)
  local p = parent and parent.raw_header or "{}"
  local md = saving.encode_json(saving.object(metadata or {}))
  local c = saving.encode_json(saving.object(content or {}))
  local frames = {}
  for _, id in ipairs(idents or {}) do frames[#frames + 1] = id end
  frames[#frames + 1] = DELIM
  frames[#frames + 1] = self:sign(h, p, md, c)
  frames[#frames + 1] = h
  frames[#frames + 1] = p
  frames[#frames + 1] = md
  frames[#frames + 1] = c
  self[name]:send(frames)
end

--- s:reply(request, msg_type, content): on the request's own channel, to its sender
function Session:reply(req, msg_type, content)
  self:send(req.channel, msg_type, content, req, req.idents)
end

--- s:publish(msg_type, content, parent): on iopub, the message type as the topic
function Session:publish(msg_type, content, parent)
  self:send("iopub", msg_type, content, parent, {"kernel." .. self.session_id .. "." .. msg_type})
end

return M
