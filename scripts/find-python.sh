#!/bin/sh
# Print the newest Python interpreter that is 3.12 or newer, or fail with a hint.
# Looks on PATH first, then in pyenv's versions, whose shims may not be active.
is_recent() {
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}
for candidate in python3.14 python3.13 python3.12 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && is_recent "$candidate"; then
        command -v "$candidate"
        exit 0
    fi
done
if command -v pyenv >/dev/null 2>&1; then
    root=$(pyenv root)
    for candidate in $(ls -d "$root"/versions/3.* 2>/dev/null | sort -t. -k2,2nr -k3,3nr); do
        if is_recent "$candidate/bin/python3"; then
            echo "$candidate/bin/python3"
            exit 0
        fi
    done
fi
echo "Python 3.12 or newer is needed; install it or set PYTHON=/path/to/python3.12" >&2
exit 1
