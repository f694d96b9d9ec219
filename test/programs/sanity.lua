-- error handling: pcall, error objects, nested pcall, xpcall with traceback
print(pcall(error, "boom"))
print(select(2, pcall(function() error({code=42}) end)).code)
local ok, e = pcall(function() local t = nil; return t.x end)
print(ok, (e:gsub("^.-:%d+: ", "")))
print(xpcall(function() error("deep") end, function(m) return "handled: " .. m end))
local depth = 0
local function nest(n) if n == 0 then error("bottom") end depth = depth + 1; local ok, err = pcall(nest, n - 1); error(err, 0) end
print(pcall(nest, 50), depth)
-- coroutines
local co = coroutine.wrap(function(a) local b = coroutine.yield(a + 1); local c = coroutine.yield(b * 2); return c .. "!" end)
print(co(1), co(10), co("end"))
local gen = coroutine.create(function() for i = 1, 3 do coroutine.yield(i) end error("gen done") end)
for i = 1, 5 do print(coroutine.resume(gen)) end
-- strings, tables, math
local words = {}
for w in ("the quick brown fox jumps over the lazy dog"):gmatch("%a+") do words[#words + 1] = w end
table.sort(words)
print(table.concat(words, ","), #words)
print(string.format("%5.2f %d %s %q", math.pi, 2^31 | 0, tostring(nil), "a\nb"))
print(math.maxinteger, math.mininteger, 7 // 2, 7 % -3, 2^0.5)
local s = 0; for i = 1, 1000000 do s = s + i % 7 end; print(s)
-- io and os
local name = os.tmpname()
local f = assert(io.open(name, "w")); f:write("line1\nline2\n"); f:close()
for l in io.lines(name) do io.write("[", l, "]") end print()
print(os.remove(name), io.open(name) == nil)
print(type(os.time()), type(os.clock()), os.getenv("HOME") ~= nil)
local p = io.popen("echo from a pipe"); print(p:read("a")); p:close()
print(select("#", string.byte("hello", 1, -1)), utf8.char(72, 228, 8364))
-- garbage collection, closures, metatables
local mt = {__index = function(t, k) return k * 2 end, __call = function(self, x) return x + 1 end}
local obj = setmetatable({}, mt)
print(obj[21], obj(41))
collectgarbage(); print(collectgarbage("count") > 0)
print(string.rep("ab", 3, "-"), ("%d"):rep(2))
print(load("return 1 + 2")(), pcall(load, "syntax error here"))
