# bench.sh: a shell-script benchmark of about 1,000 small commands and
# pipelines. It must print the same with bash and GNU tools as with our sh
# and utilities (userland_test.go checks it), so it only uses what both
# support, and prints nothing on stderr.
mkdir -p work/in work/out
cd work || exit 1

# 100 rounds of 16 external commands (and some builtins)
i=0
while [ $i -lt 100 ]; do
	echo "round $i alpha beta" > in/f$i
	echo "second line $i" >> in/f$i
	cat in/f$i | wc -l
	grep -c alpha in/f$i
	head -n 1 in/f$i | wc -w
	tail -n 1 in/f$i
	cp in/f$i out/g$i
	mv out/g$i out/h$i
	wc -c < out/h$i
	ls out | wc -l
	rm out/h$i
	ls in | tail -n 1
	grep -n line in/f$i
	head -c 5 in/f$i; echo
	cat -n in/f$i | tail -n 1
	mkdir -p "d$i/sub"
	i=$((i + 1))
done

# pipelines of several stages
for n in 1 2 3 4 5 6 7 8 9 10; do
	ls in | grep 1 | head -n 3 | tail -n 1
	cat in/f1 in/f2 in/f3 | grep -v second | wc -l
	echo "x $n y" | cat | cat | wc -w
done

# command substitution and conditionals
count=$(ls | wc -l)
echo "entries: $count"
for f in in/f1 in/f2 in/nosuch; do
	if [ -f "$f" ] && grep -q round "$f"; then
		echo "$f has a round: $(head -n 1 "$f")"
	else
		echo "$f: none"
	fi
done
rm -r d*
ls | wc -l
env A=1 env | grep -c '^A=1$'
true && echo done
