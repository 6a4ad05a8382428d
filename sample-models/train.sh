#!/usr/bin/env bash
# Trains the sample model from nothing and writes sample-models/quantscope-stories.gguf and
# sample-models/training-loss.csv (about an hour on 2 cores). Extra arguments go to the trainer:
#   --steps N   --batch N   --out FILE   --log FILE.csv
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA_HOME="$(./quantscope --java-home)"
export JAVA_HOME
mvn -q -B -DskipTests -Dspotless.check.skip=true -pl sample-models -am install
mvn -q -B -pl sample-models dependency:build-classpath -Dmdep.outputFile="$PWD/sample-models/target/classpath.txt"
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -XX:+IgnoreUnrecognizedVMOptions \
  -cp "sample-models/target/classes:$(cat sample-models/target/classpath.txt)" \
  io.quantscope.samples.train.SampleTrainer "$@"
