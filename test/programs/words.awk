# Word frequencies, field handling, printf, regex, gsub, split, arrays.
{ for (i = 1; i <= NF; i++) { w = tolower($i); gsub(/[^a-z]/, "", w); if (w != "") count[w]++ } lines++ }
/fox|dog/ { animals++ }
END {
	n = 0
	for (w in count) if (count[w] > 1) keys[++n] = w
	# insertion sort for a stable order
	for (i = 2; i <= n; i++) { v = keys[i]; j = i - 1; while (j > 0 && keys[j] > v) { keys[j+1] = keys[j]; j-- } keys[j+1] = v }
	for (i = 1; i <= n; i++) printf "%-8s %3d\n", keys[i], count[keys[i]]
	k = split("a:b:c:d", parts, ":")
	printf "lines %d animals %d split %d %s substr %s index %d\n", lines, animals, k, parts[3], substr("occlum", 2, 3), index("wasm32", "32")
	printf "%.3f %e %x %c|%5s|%-5s|\n", atan2(1, 1) * 4, 12345.678, 255, 65, "ab", "cd"
	s = "aaa bbb aaa"; t = s; gsub(/a+/, "<&>", t); print t, match(s, /b+/), RSTART, RLENGTH
}
