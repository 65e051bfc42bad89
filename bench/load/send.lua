-- wrk script shared by smsgate and its peers: every request sends one message to a recipient
-- no other request in the run uses, so no gateway can short-cut repeated work.
--
--   wrk -t2 -c64 -d10s --latency -s bench/load/send.lua <base-url> -- <target> [token]
--
-- <target> is smsgate, kannel or jasmin; smsgate needs its API token. The last line printed is
--   SUMMARY requests=.. accepted=.. rejected=.. duration_s=.. accepted_per_s=.. ... p99_ms=..
-- where "accepted" counts only the status that target answers for a taken message (201, 202, 200)
-- and "rejected" every other HTTP status.

local targets = {
  smsgate = {
    accepted_status = 201,
    recipient_format = "+4851%d%06d",
    request = function(to, n, token)
      return wrk.format("POST", "/v1/messages", {
        ["Content-Type"] = "application/json",
        ["Authorization"] = "Bearer " .. token,
      }, string.format('{"to":["%s"],"text":"bench %d","sender":"Bench"}', to, n))
    end,
  },
  kannel = {
    accepted_status = 202,
    recipient_format = "4851%d%06d",
    request = function(to, n)
      return wrk.format("GET", string.format(
        "/cgi-bin/sendsms?username=tester&password=foobar&from=12345&to=%s&text=bench+%d", to, n))
    end,
  },
  jasmin = {
    accepted_status = 200,
    recipient_format = "4851%d%06d",
    request = function(to, n)
      return wrk.format("GET", string.format(
        "/send?username=foo&password=bar&from=Bench&to=%s&content=bench+%d", to, n))
    end,
  },
}

local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

-- Each wrk thread runs its own copy of this script. The counters are globals because done()
-- reads them back through thread:get, which only sees globals.
local target, token
sent, accepted, rejected = 0, 0, 0

function init(args)
  target = targets[args[1]]
  if target == nil then
    error("first script argument must be smsgate, kannel or jasmin, got " .. tostring(args[1]))
  end
  token = args[2]
end

function request()
  sent = sent + 1
  return target.request(string.format(target.recipient_format, tid, sent), sent, token)
end

function response(status)
  if status == target.accepted_status then
    accepted = accepted + 1
  else
    rejected = rejected + 1
  end
end

function done(summary, latency)
  local total_accepted, total_rejected = 0, 0
  for _, thread in ipairs(threads) do
    total_accepted = total_accepted + thread:get("accepted")
    total_rejected = total_rejected + thread:get("rejected")
  end
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "SUMMARY requests=%d accepted=%d rejected=%d duration_s=%.2f accepted_per_s=%.1f "
      .. "connect_errors=%d read_errors=%d write_errors=%d timeouts=%d p50_ms=%.2f p99_ms=%.2f\n",
    summary.requests, total_accepted, total_rejected, seconds, total_accepted / seconds,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
