#!/usr/bin/env bash
# Builds Quantscope's installable packages with jpackage (JDK 25).
#
#   packaging/build.sh app-image   # packaging/target/dist/Quantscope/ (Linux, macOS, Windows) — a runnable folder
#   packaging/build.sh deb         # packaging/target/dist/quantscope_<version>_amd64.deb (Linux; needs dpkg-deb, fakeroot)
#   packaging/build.sh dmg         # on macOS
#   packaging/build.sh msi         # on Windows (Git Bash; needs the WiX toolset)
#
# The jars are built first when missing or older than the sources (mvn package, tests skipped). Options shared by
# every platform are in packaging/jpackage/common.args, each platform's in linux.args, mac.args, windows.args.
set -euo pipefail
cd "$(dirname "$0")/.."
type="${1:-app-image}"
version="0.1.0"

JAVA_HOME="$(./quantscope --java-home)"
export JAVA_HOME
jar=app/target/quantscope-app.jar
if [ ! -f "$jar" ] || [ -n "$(find app engine sample-models ui-resources -path '*/target' -prune -o -newer "$jar" -type f -print -quit)" ]; then
  echo "build: building the jars" >&2
  mvn -q -B -DskipTests -Dspotless.check.skip=true package >&2
fi

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=mac ;;
  MINGW*|MSYS*|CYGWIN*) os=windows ;;
  *) echo "build: unknown system $(uname -s)" >&2; exit 1 ;;
esac
case "$type" in
  app-image) ;;
  deb|rpm) [ "$os" = linux ] || { echo "build: $type packages are built on Linux" >&2; exit 1; } ;;
  dmg|pkg) [ "$os" = mac ] || { echo "build: $type packages are built on macOS" >&2; exit 1; } ;;
  msi|exe) [ "$os" = windows ] || { echo "build: $type packages are built on Windows" >&2; exit 1; } ;;
  *) echo "build: unknown package type '$type' (app-image, deb, dmg, msi)" >&2; exit 2 ;;
esac

# jpackage copies the whole input folder: the app jar and its lib/ folder only
stage=packaging/target/input
dist=packaging/target/dist
rm -rf "$stage" && mkdir -p "$stage" "$dist"
cp "$jar" "$stage/"
cp -r app/target/lib "$stage/lib"

extra=()
if [ "$type" = app-image ]; then
  rm -rf "$dist/Quantscope" "$dist/Quantscope.app"
  # installer-only options (menu entries, file associations, package metadata) do not apply to an app-image
  extra+=(--icon "packaging/icons/quantscope.$([ $os = mac ] && echo icns || ([ $os = windows ] && echo ico || echo png))")
  argfiles=(@packaging/jpackage/common.args)
else
  argfiles=(@packaging/jpackage/common.args "@packaging/jpackage/$os.args")
fi

echo "build: jpackage --type $type" >&2
"$JAVA_HOME/bin/jpackage" "${argfiles[@]}" "${extra[@]}" --type "$type" --app-version "$version" \
  --input "$stage" --dest "$dist"
ls -1 "$dist"
