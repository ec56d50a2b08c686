-- wrk script for bench/run.py: extra headers, optional event batches, results as one JSON line.
--
--   wrk -s bench/wrk.lua URL -- [header=Name: value ...] [batch=N recipients=1,2,3 nonce=HEX]
--
-- With batch=N every request POSTs N new welfare-technology events (unique client_uuid per event: the
-- run's nonce, the thread number and a counter) for the given recipients. done() prints a line
-- "BENCH_JSON {...}" with requests, duration, errors and latency percentiles in microseconds.

local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_id", thread_count)
  table.insert(threads, thread)
end

local batch = 0
local recipients = {}
local nonce = 0
local counter = 0

function init(args)
  for _, arg in ipairs(args) do
    local key, value = arg:match("^(%w+)=(.*)$")
    if key == "header" then
      local name, content = value:match("^([^:]+):%s*(.*)$")
      wrk.headers[name] = content
    elseif key == "batch" then
      batch = tonumber(value)
    elseif key == "recipients" then
      for id in value:gmatch("%d+") do
        table.insert(recipients, tonumber(id))
      end
    elseif key == "nonce" then
      nonce = tonumber(value, 16)
    end
  end
  if batch > 0 then
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/json"
  end
end

local function event()
  counter = counter + 1
  local uuid = string.format("%08x-%04x-4000-8000-%012x", nonce, thread_id or 0, counter)
  local recipient = recipients[(counter % #recipients) + 1]
  return string.format(
    '{"client_uuid":"%s","recipient":%d,"kind":"camera_check_ok","occurred_at":"%s"}',
    uuid, recipient, os.date("!%Y-%m-%dT%H:%M:%SZ")
  )
end

function request()
  if batch == 0 then
    return wrk.request()
  end
  local items = {}
  for i = 1, batch do
    items[i] = event()
  end
  return wrk.format(nil, nil, nil, "[" .. table.concat(items, ",") .. "]")
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"p50":%d,"p90":%d,"p95":%d,"p99":%d,"max":%d,"mean":%.1f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean
  ))
end
