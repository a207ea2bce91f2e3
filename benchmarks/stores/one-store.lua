-- wrk script for the single-store run: every request goes to the URL and Host header
-- given on wrk's command line, and the totals are printed by report.lua.

local folder = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(folder .. "report.lua")
