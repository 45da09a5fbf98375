-- spec/progbar_spec.lua: cvision.progbar, Keras 3's progress bar: number and time formats, the
-- final line of verbose 1 and 2, in-place redraws on a terminal, bars of unknown length.
local progbar = require "cvision.progbar"

-- an output object collecting what is written
local function sink()
  local s = {text = ""}
  function s:write(...) for _, v in ipairs{...} do self.text = self.text .. v end return self end
  function s:flush() return self end
  return s
end

describe("cvision.progbar", function()
  it("formats values as Keras: 4 decimals, an exponent at or below 1e-3, nan and inf", function()
    assert.are.equal("0.5116", progbar.format_value(0.51156))
    assert.are.equal("-2.0000", progbar.format_value(-2))
    assert.are.equal("1.2000e-04", progbar.format_value(1.2e-4))
    assert.are.equal("1.0000e-03", progbar.format_value(1e-3))
    assert.are.equal("0.0000e+00", progbar.format_value(0))
    assert.are.equal("nan", progbar.format_value(0 / 0))
    assert.are.equal("inf", progbar.format_value(math.huge))
    assert.are.equal("-inf", progbar.format_value(-math.huge))
    assert.are.equal("abc", progbar.format_value("abc"))
  end)

  it("formats the time per step in s, ms or us", function()
    assert.are.equal(" 2s/step", progbar.format_time(2.4, "step"))
    assert.are.equal(" 0s/step", progbar.format_time(0, "step"))
    assert.are.equal(" 3ms/step", progbar.format_time(0.0031, "step"))
    assert.are.equal(" 250us/sample", progbar.format_time(0.00025, "sample"))
  end)

  it("prints only the final line at verbose 1 when not on a terminal", function()
    local out = sink()
    local pb = progbar.new(10, {out = out, dynamic = false})
    pb:update(3, {{"loss", 0.5}})
    assert.are.equal("", out.text)
    pb:update(10, {{"accuracy", 0.75}, {"loss", 0.25}})
    assert.truthy(out.text:match("^10/10 ━━━━━━━━━━━━━━━━━━━━ %d+s %d+[mu]?s/step %- accuracy: 0%.7500 %- loss: 0%.2500\n$"),
      out.text)
  end)

  it("redraws in place on a terminal, padding over a longer previous line", function()
    local out = sink()
    local pb = progbar.new(4, {out = out, dynamic = true, color = false, interval = 0})
    pb:update(1, {{"loss", 123.456}, {"extra", 1}})
    pb:update(2, {{"loss", 1}})
    local lines = {}
    for l in out.text:gmatch("\r([^\r]*)") do lines[#lines + 1] = l end
    assert.are.equal(2, #lines)
    assert.truthy(lines[1]:match("^1/4 [^ ]+ %d+s %d+[mu]?s/step %- loss: 123%.4560 %- extra: 1%.0000$"), lines[1])
    -- the second line is padded with spaces to cover the first
    assert.are.equal(utf8.len(lines[1]), utf8.len(lines[2]))
    assert.truthy(lines[2]:match("^2/4 [^ ]+ %d+s .- %- loss: 1%.0000 +$"), lines[2])
  end)

  it("cuts a redrawn line to the terminal's width (a wider one would wrap and pile up), not the final line", function()
    local out = sink()
    local pb = progbar.new(4, {out = out, dynamic = true, color = false, interval = 0, columns = 40})
    local metrics = {{"accuracy", 0.5}, {"loss", 1.25}, {"val_accuracy", 0.25}, {"val_loss", 2}}
    pb:update(1, metrics)
    pb:update(2, metrics)
    pb:update(4, metrics)
    local lines = {}
    for l in out.text:gmatch("\r([^\r\n]*)") do lines[#lines + 1] = l end
    assert.are.equal(3, #lines)
    for i = 1, 2 do assert.is_true(utf8.len(lines[i]) <= 39, lines[i]) end
    assert.truthy(lines[3]:match("%- val_loss: 2%.0000$"), lines[3])   -- the last line is whole
  end)

  it("takes the width from $COLUMNS, else the terminal, else 80", function()
    local bin = os.getenv("CVISION_BIN") or "bin/cvision"
    local function cols(env)
      local p = io.popen(env .. " " .. bin .. " -e 'io.write(require(\"cvision.progbar\").columns())' < /dev/null | cat")
      local r = p:read("a")
      p:close()
      return r
    end
    assert.are.equal("50", cols("COLUMNS=50"))
    assert.are.equal("80", cols("COLUMNS="))                        -- stdout is a pipe: no terminal
    local core = require "cvision.core"
    local c, why = core.proc.terminal_size(1)
    if not c then assert.truthy(why:find("terminal", 1, true), why) end
  end)

  it("colours the done part green on a terminal", function()
    local out = sink()
    local pb = progbar.new(4, {out = out, dynamic = true, color = true, interval = 0, width = 4})
    pb:update(2)
    assert.truthy(out.text:find("\27[1m2/4\27[0m \27[32m━━\27[0m\27[37m━━\27[0m", 1, true), out.text)
  end)

  it("prints Keras' one line at verbose 2, and counts without a target", function()
    local out = sink()
    local pb = progbar.new(5, {out = out, verbose = 2})
    pb:update(2)
    assert.are.equal("", out.text)
    pb:update(5, {{"loss", 0.1}})
    assert.truthy(out.text:match("^5/5 %- %d+s %- %d+[mu]?s/step %- loss: 0%.1000\n$"), out.text)
    out = sink()
    pb = progbar.new(nil, {out = out, dynamic = false})
    pb:update(7, nil, true)
    assert.truthy(out.text:match("^      7/Unknown %d+s %d+[mu]?s/step\n$"), out.text)
  end)

  it("has a monotonic wall clock and knows whether stdout is a terminal", function()
    local a = progbar.clock()
    local b = progbar.clock()
    assert.is_true(b >= a)
    assert.is_boolean(progbar.isatty())
  end)
end)
