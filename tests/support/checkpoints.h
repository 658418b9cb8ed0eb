// Trainer checkpoints as tests see them (header-only).
#pragma once

#include <QDir>
#include <QRegularExpression>
#include <QString>

#include <algorithm>

namespace understudy::test {

// The highest step S of a trainer checkpoint ckpt-S.pt in `dir` (-1: none).
inline int newestCheckpoint(const QString& dir) {
  int best = -1;
  const QRegularExpression re("^ckpt-(\\d+)\\.pt$");
  for (const QString& f : QDir(dir).entryList(QDir::Files)) {
    const auto m = re.match(f);
    if (m.hasMatch()) best = std::max(best, m.captured(1).toInt());
  }
  return best;
}

}  // namespace understudy::test
