// The trainer config of the distributed-launch tests (test_train_workers,
// test_train_ssh): a tiny teacher on synth-labeled, 11 batches of <= 400
// frames per epoch (5 per rank at 2 ranks), one thread, 6 steps, a
// checkpoint every 3, a short collective timeout and a 4 s heartbeat.
#pragma once

#include <QFile>
#include <QString>

namespace understudy::test {

// Writes it to `path` under the model name `name`; "" when it cannot.
inline QString writeDistJobConfig(const QString& path, const QString& name) {
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly)) return {};
  f.write(QString("name: %1\nrole: teacher\nseed: 1\nthreads: 1\nmax_steps: 6\n"
                  "data:\n  train: [synth-labeled]\n  validation_fraction: 0.1\n"
                  "model:\n  preset: teacher-tiny\nbatching:\n  max_frames: 400\n"
                  "optimizer:\n  kind: adam\n  lr: 0.003\nvalidation:\n  every: 1000\n"
                  "checkpoint:\n  every: 3\n  keep: 2\n"
                  "distribution:\n  algorithm: sync\n  timeout_s: 20\n  connect_timeout_s: 60\n  heartbeat_s: 4\n")
              .arg(name)
              .toUtf8());
  return path;
}

}  // namespace understudy::test
