# Sourced by the wall's shell tests. in_step LEFT_LOG RIGHT_LOG: between the later node's first
# present and the earlier one's last, the two nodes presented the same frames (for at least 5
# frames). Prints the span; returns 1 with a message otherwise.
in_step() {
  local lf rf from to
  lf=$(mktemp); rf=$(mktemp)
  grep -o "presented [0-9]*" "$1" | awk '{print $2}' >"$lf"
  grep -o "presented [0-9]*" "$2" | awk '{print $2}' >"$rf"
  if [ ! -s "$lf" ] || [ ! -s "$rf" ]; then echo "a node presented nothing"; rm -f "$lf" "$rf"; return 1; fi
  from=$(( $(head -n 1 "$lf") > $(head -n 1 "$rf") ? $(head -n 1 "$lf") : $(head -n 1 "$rf") ))
  to=$(( $(tail -n 1 "$lf") < $(tail -n 1 "$rf") ? $(tail -n 1 "$lf") : $(tail -n 1 "$rf") ))
  both() { awk -v a="$from" -v b="$to" '$1>=a && $1<=b' "$1"; }
  echo "in step from frame $from to $to: left $(both "$lf" | wc -l), right $(both "$rf" | wc -l) frames"
  local ok=0
  [ $(( to - from )) -ge 5 ] || { echo "the nodes were in step for fewer than 5 frames"; ok=1; }
  [ "$ok" = 1 ] || diff <(both "$lf") <(both "$rf") || { echo "the nodes presented different frames"; ok=1; }
  rm -f "$lf" "$rf"
  return "$ok"
}
