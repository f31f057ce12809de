# Sourced by the benches that time two servers with the same client (benches/wrk/run.sh,
# benches/emulator/run.sh). `alternate NAME_A ADDR_A NAME_B ADDR_B` calls the caller's `rate ADDR`
# (prints requests/s, optionally followed by the number of requests) for A, then B, ROUNDS times (A B A B: noise from the shared machine falls on
# both), prints each pair and the median ratio A / B.
alternate() {
    ratios=""
    served=0
    i=0
    while [ $i -lt "$ROUNDS" ]; do
        out=$(rate "$2")
        a=${out%% *}
        # A `rate` that prints "requests/s requests" gets A's requests summed in $served.
        served=$((served + $(echo "$out" | awk '{print ($2 == "") ? 0 : $2}')))
        b=$(rate "$4")
        b=${b%% *}
        r=$(echo "$a $b" | awk '{printf "%.2f", $1 / $2}')
        echo "round $i: $1 $a/s, $3 $b/s, ratio $r"
        ratios="$ratios $r"
        i=$((i + 1))
    done
    echo "$ratios" | tr ' ' '\n' | grep . | sort -n |
        awk -v what="$1 / $3" '{v[NR] = $1} END {m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "median ratio (%s) of %d rounds: %.2f\n", what, NR, m}'
}
