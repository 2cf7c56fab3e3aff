#!/bin/sh
# engine/MQTT.md's property tables are `dtwin describe FILE --markdown` of the scenarios named in
# its markers; this checks they are current (exit 1 with a diff when not), or rewrites them with
# --update.
#   tests/docs/mqtt_md.sh DTWIN_BIN SOURCE_DIR [--update]
set -eu
dtwin=$1
root=$2
doc="$root/engine/MQTT.md"
out=$(mktemp)
trap 'rm -f "$out" "$out.block"' EXIT
skip=0
while IFS= read -r line; do
  case "$line" in
    "<!-- describe: end -->")
      skip=0 ;;
  esac
  if [ "$skip" = 0 ]; then printf '%s\n' "$line" >> "$out"; fi
  case "$line" in
    "<!-- describe: "*" -->")
      file=${line#"<!-- describe: "}
      file=${file%" -->"}
      if [ "$file" != end ]; then
        (cd "$root" && "$dtwin" describe "$file" --markdown) >> "$out"
        skip=1
      fi ;;
  esac
done < "$doc"
if [ "${3:-}" = --update ]; then
  cp "$out" "$doc"
  echo "rewrote the property tables of $doc"
  exit 0
fi
if ! diff -u "$doc" "$out"; then
  echo "engine/MQTT.md's property tables are not what dtwin describe prints now (above: - the"
  echo "file, + now): run tests/docs/mqtt_md.sh build/bin/dtwin . --update"
  exit 1
fi
