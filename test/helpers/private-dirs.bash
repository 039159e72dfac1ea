# Private folders for a test layer that runs in its own mount namespace (test/debian,
# test/shared-hosting): what the layer changes lands in copies under $scratch/root,
# and the machine's own folders stay as they were. Needs `scratch` set.

# private_copy DIR — a copy of DIR, bind-mounted over it (owners and modes kept).
private_copy() {
  local copy=$scratch/root$1
  mkdir -p "$(dirname "$copy")"
  if [ -d "$1" ]; then cp -a "$1" "$copy"; else mkdir -p "$copy"; fi
  mount --bind "$copy" "$1"
}

# private_empty DIR OWNER MODE — an empty folder over DIR.
private_empty() {
  local copy=$scratch/root$1
  mkdir -p "$copy"
  chown "$2" "$copy"
  chmod "$3" "$copy"
  mount --bind "$copy" "$1"
}
