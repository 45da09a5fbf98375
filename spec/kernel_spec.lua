-- The Jupyter kernel (bin/cvision --kernel), driven as a notebook drives it: Python's
-- jupyter_client (Debian's python3-jupyter-client, installed by make deps) runs
-- spec/fixtures/kernel_driver.py, which installs the kernelspec into a temporary prefix,
-- starts the kernel from it and prints one "ok NAME" / "FAIL NAME: why" line per check. The
-- driver runs once (about 2 s); each test below reads its verdict on one check.
-- Under `make check` the kernel is bin/cvision-asan ($CVISION_BIN) and the driver also looks for
-- sanitizer reports in the kernel's stderr.
local BIN = os.getenv("CVISION_BIN") or "bin/cvision"
local PYTHON = "/usr/bin/python3"

local out, verdicts
local function driver()
  if verdicts then return verdicts end
  local p = io.popen(("%s spec/fixtures/kernel_driver.py %s 2>&1; echo rc=$?"):format(PYTHON, BIN))
  out = p:read("a")
  p:close()
  verdicts = {}
  for line in out:gmatch("[^\n]+") do
    local name = line:match("^ok (%S+)$")
    if name then verdicts[name] = true end
    local bad, why = line:match("^FAIL (%S+): (.*)$")
    if bad then verdicts[bad] = why end
  end
  return verdicts
end

local function passes(name)
  local v = driver()[name]
  if v == nil then error(("the driver reported nothing on %s:\n%s"):format(name, out), 2) end
  assert(v == true, name .. ": " .. tostring(v))
end

describe("the Jupyter kernel (bin/cvision --kernel)", function()
  it("is driven by jupyter_client from the Jupyter packages (run make deps when they are missing)", function()
    driver()
    local rc = tonumber(out:match("rc=(%d+)%s*$"))
    assert(rc ~= 127 and rc ~= 3 and not out:find("missing:", 1, true),
      "the Jupyter packages are missing (python3-jupyter-client, python3-zmq, jupyter-core): run make deps\n" .. out)
    assert.is_truthy(out:find("kernel_driver: %d+ passed, 0 failed"), out)
  end)

  it("installs its kernelspec (interrupt_mode message) with --install-kernel --prefix, and jupyter kernelspec list shows it", function()
    passes("install_kernel")
    passes("kernelspec_list")
  end)

  it("fits a figure whose labels its margins would cut off before sending it (as Jupyter's inline backend)", function()
    passes("figure_fitted")
  end)

  it("keeps working when a cell defines its own global load (as the examples' load(dir) would be)", function()
    passes("user_global_load")
  end)

  it("answers kernel_info with Lua 5.4's language_info and implementation cvision", function()
    passes("kernel_info")
  end)

  it("keeps a cell's top-level locals (and local functions) for later cells", function()
    passes("locals_persist")
    passes("execution_count")
  end)

  it("sends print, io.write and io.stderr output as stdout and stderr streams", function()
    passes("stdout_stream")
  end)

  it("sends a burst of prints as a few messages, and a held line while the cell still runs", function()
    passes("print_burst_coalesced")
    passes("held_line_sent_while_running")
  end)

  it("draws fit's progress bar in place (redrawn after \\r, as on a terminal)", function()
    passes("progress_bar_in_place")
  end)

  it("shows the last expression's value as the execute_result (a tensor as the REPL prints it)", function()
    passes("execute_result")
  end)

  it("adds text/html for a tensor (a table of its values, dtype and shape; elided when big)", function()
    passes("html_tensor")
    passes("html_tensor_truncated")
  end)

  it("adds text/html for a model (Keras' summary table and totals), a DataFrame (read_csv) and the tuner's results, escaped", function()
    passes("html_model")
    passes("html_dataframe")
    passes("html_tuner")
    passes("html_only_for_tables")
  end)

  it("reports an error with its traceback down to the cell's own frames", function()
    passes("error_traceback")
  end)

  it("sends the figure a cell drew as image/png display_data, then closes it", function()
    passes("figure_png")
    passes("figure_closed")
  end)

  it("completes cv. names as the REPL does, and inspects a function's doc comment", function()
    passes("complete")
    passes("inspect")
  end)

  it("asks the notebook for io.read()'s line (input_request on the stdin channel)", function()
    passes("stdin_input")
  end)

  it("aborts the cells queued behind a failing one (stop_on_error), and evaluates user_expressions", function()
    passes("abort_after_error")
    passes("user_expressions")
  end)

  it("tells complete, incomplete and invalid code apart", function()
    passes("is_complete")
  end)

  it("drops a message with a wrong signature and answers the next, correctly signed one", function()
    passes("bad_signature_rejected")
    passes("bad_signature_logged")
  end)

  it("serves the control channel while a cell runs (kernel_info answered from inside a busy loop)", function()
    passes("control_served_while_running")
  end)

  it("stops a busy loop (also one inside a coroutine) on an interrupt_request (interrupt_mode message), then runs the next cell", function()
    passes("interrupt_request")
    passes("interrupt_when_idle")
    passes("interrupt_in_coroutine")
  end)

  it("stops a long fit on Jupyter's interrupt (the kernelspec's message mode), the model still usable", function()
    passes("interrupt_fit")
  end)

  it("stops a running loop on SIGINT too, and runs the next cell", function()
    passes("interrupt")
  end)

  it("shuts down on a shutdown_request on the control or the shell channel", function()
    passes("shutdown")
    passes("shutdown_on_shell")
  end)

  it("restarts into a fresh state", function()
    passes("restart")
  end)

  it("leaves no sanitizer report in the kernel's stderr", function()
    passes("kernel_log_clean")
  end)
end)
