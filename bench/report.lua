-- bench/report.lua DIR HAVE_TORCH - turns the figures bench/run.sh collected into one table.
package.path = "./lua/?.lua;./lua/?/init.lua;" .. package.path
package.cpath = "./lua/?.so;" .. package.cpath
local cjson = require "cjson"
local core = require "cvision.core"

local dir, have_torch = arg[1], arg[2] == "1"

local function median(t)
  local s = {}
  for i, v in ipairs(t) do s[i] = v end
  table.sort(s)
  local n = #s
  if n == 0 then return nil end
  if n % 2 == 1 then return s[(n + 1) // 2] end
  return (s[n // 2] + s[n // 2 + 1]) / 2
end

-- case@threads --> {images_per_s = median, gflops = median, peak_mb = max, n = runs}
local function read_jsonl(path)
  local all, out = {}, {}
  local f = io.open(path)
  if not f then return out end
  for line in f:lines() do
    local ok, v = pcall(cjson.decode, line)
    if ok and type(v) == "table" and v.case then
      local k = ("%s@%d"):format(v.case, v.threads)
      all[k] = all[k] or {}
      table.insert(all[k], v)
    end
  end
  f:close()
  for k, list in pairs(all) do
    local ips, gf, mb = {}, {}, 0
    for _, v in ipairs(list) do
      if v.images_per_s then ips[#ips + 1] = v.images_per_s end
      if v.gflops then gf[#gf + 1] = v.gflops end
      if v.peak_mb and v.peak_mb > mb then mb = v.peak_mb end
    end
    out[k] = {images_per_s = median(ips), gflops = median(gf), peak_mb = mb, n = #list}
  end
  return out
end

local function slurp(path)
  local f = io.open(path)
  if not f then return "" end
  local s = f:read("a")
  f:close()
  return s
end

local cv, torch = read_jsonl(dir .. "/cvision.jsonl"), read_jsonl(dir .. "/torch.jsonl")
local peak = 0
for v in slurp(dir .. "/peak.txt"):gmatch("[%d.]+") do peak = math.max(peak, tonumber(v) or 0) end

-- start-up: median over 21 runs of `bin/cvision -e ''`, minus the cost of starting `true`
local function time_cmd(cmd)
  local t = {}
  for i = 1, 21 do
    local t0 = core.monotonic()
    os.execute(cmd)
    t[i] = core.monotonic() - t0
  end
  return median(t)
end
local startup = (time_cmd("bin/cvision -e '' >/dev/null 2>&1") - time_cmd("true")) * 1000

local cases = {"lecture_cnn/train/32", "lecture_cnn/infer/32", "lecture_cnn/infer/256",
               "logistic/train/32", "fashion_cnn/train/32"}
local threads = {}
for k in pairs(cv) do
  local n = tonumber(k:match("@(%d+)$"))
  if k:match("^[^m]") and n and not threads[n] then threads[n] = true end
end
local tlist = {}
for n in pairs(threads) do tlist[#tlist + 1] = n end
table.sort(tlist)

local cpu = slurp("/proc/cpuinfo"):match("model name%s*:%s*([^\n]+)") or "unknown CPU"
local ncpu = 0
for _ in slurp("/proc/cpuinfo"):gmatch("\nprocessor%s*:") do ncpu = ncpu + 1 end
if slurp("/proc/cpuinfo"):match("^processor%s*:") then ncpu = ncpu + 1 end
local load = slurp("/proc/loadavg"):match("^(%S+ %S+ %S+)") or "?"
print()
print(("cvision benchmark, %s UTC, %s, %d CPUs, cvision kernels: %s"):format(os.date("!%Y-%m-%d %H:%M"), cpu,
  ncpu, core.cpu_path()))
print(("FMA peak (1 core, AVX2, measured): %.1f GFLOP/s; load average at the end: %s"):format(peak, load))
print("images/s and GFLOP/s: medians of all timings; ratio = cvision / PyTorch (same model, same run)")
print("GFLOP/s counts the direct algorithm's multiply-adds; cvision's 3x3 layers run Winograd (2.25x")
print("fewer), so %peak can pass 100% (CVISION_WINOGRAD=0 make bench: the direct kernels)")
local isa = slurp(dir .. "/torch_isa.txt"):gsub("%s+$", "")
if isa ~= "" then print(isa) end
print()
-- the issue's targets for the ratio cvision / PyTorch
local target = {["lecture_cnn/train/32"] = 2.5, ["lecture_cnn/infer/32"] = 3, ["lecture_cnn/infer/256"] = 3,
                ["logistic/train/32"] = 2, ["fashion_cnn/train/32"] = 2}
local hdr = ("%-22s %3s %12s %8s %6s %12s %7s %7s"):format("case", "thr", "cvision im/s",
  "GFLOP/s", "%peak", "PyTorch im/s", "ratio", "target")
print(hdr)
print(("-"):rep(#hdr))
for _, c in ipairs(cases) do
  for _, n in ipairs(tlist) do
    local a, b = cv[c .. "@" .. n], torch[c .. "@" .. n]
    if a then
      local pct = peak > 0 and 100 * a.gflops / (peak * n) or 0
      local ratio = b and a.images_per_s / b.images_per_s
      print(("%-22s %3d %12.0f %8.1f %5.0f%% %12s %7s %7s"):format(c, n, a.images_per_s, a.gflops, pct,
        b and ("%.0f"):format(b.images_per_s) or "-", ratio and ("%.2fx"):format(ratio) or "-",
        (">=%gx%s"):format(target[c], ratio and (ratio >= target[c] and " ok" or " NO") or "")))
    end
  end
end
local alone = read_jsonl(dir .. "/torch_alone.jsonl")["logistic/train/32@1"]
local la = cv["logistic/train/32@1"]
if alone and la then
  print(("(PyTorch's logistic/train/32 alone in a fresh process, 1 thread: %.0f images/s, ratio %.2fx;")
    :format(alone.images_per_s, la.images_per_s / alone.images_per_s))
  print(" the table's PyTorch figure is the faster one it reaches after another model ran: bench/NOTES.md)")
end
print()
local m1, m2 = cv["memory@1"], torch["memory@1"]
if m1 then
  print(("peak memory, training the lecture CNN (2048 images): cvision %.0f MB%s"):format(m1.peak_mb,
    m2 and (", PyTorch %.0f MB (%.2fx)"):format(m2.peak_mb, m1.peak_mb / m2.peak_mb) or ""))
end
print(("start-up of bin/cvision -e '': %.1f ms (median of 21)"):format(startup))
-- data-parallel: weak scaling of the lecture CNN, 32 images per rank per step, 1 thread per rank
local mpi = read_jsonl(dir .. "/mpi.jsonl")
local r1, r2 = mpi["lecture_cnn/train/mpi@1"], mpi["lecture_cnn/train/mpi@2"]
if r1 and r2 then
  local red = {}
  for line in slurp(dir .. "/mpi.jsonl"):gmatch("[^\n]+") do
    local ok, v = pcall(cjson.decode, line)
    if ok and v.ranks == 2 then red[#red + 1] = v.allreduce_ms end
  end
  table.sort(red)
  print(("data-parallel (MPI), lecture CNN training, 32 images per rank per step, 1 thread per rank: " ..
    "1 rank %.0f im/s, 2 ranks %.0f im/s, scaling efficiency %.0f%%; gradient reduction %.2f ms per step")
    :format(r1.images_per_s, r2.images_per_s, 100 * r2.images_per_s / (2 * r1.images_per_s), red[(#red + 1) // 2]))
end
print()
print("GEMM, 1 thread, GFLOP/s: cv_gemm (what the layers call: the AVX2 kernel or OpenBLAS by shape),")
print("the AVX2 kernel alone, OpenBLAS sgemm; ratio = cv_gemm / OpenBLAS (target >= 1.0):")
io.write(slurp(dir .. "/gemm.txt"))
if not have_torch then print("\n(PyTorch not installed: apt-get install python3-torch for the ratios)") end
