// Watching processes by process group, for the launcher tests
// (test_dist_launcher, test_train_workers, test_train_ssh): whether a group
// still has a living member, found in /proc/<pid>/stat, never by name.
#pragma once

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QList>
#include <QString>
#include <QThread>

#include <signal.h>

#include <cerrno>
#include <functional>

namespace understudy::test {

// /proc/<pid>/<what> ("stat", "cmdline", "environ"); empty when unreadable.
inline QByteArray readProcFile(int pid, const char* what) {
  QFile f(QString("/proc/%1/%2").arg(pid).arg(what));
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Every process id in /proc.
inline QList<int> allPids() {
  QList<int> pids;
  for (const QString& name : QDir("/proc").entryList(QDir::Dirs)) {
    bool ok = false;
    const int pid = name.toInt(&ok);
    if (ok) pids << pid;
  }
  return pids;
}

// Polls `condition` every 20 ms until it holds (true) or `timeoutMs` passed (false).
inline bool waitFor(const std::function<bool()>& condition, int timeoutMs) {
  QElapsedTimer t;
  t.start();
  while (!condition()) {
    if (t.elapsed() > timeoutMs) return false;
    QThread::msleep(20);
  }
  return true;
}

// No member of process group `pgid` but zombies: killed members orphaned to
// init stay zombies in the group until init reaps them (seconds, in some
// containers), and count as gone.
inline bool onlyZombiesIn(int pgid) {
  for (int pid : allPids()) {
    const QByteArray stat = readProcFile(pid, "stat");
    const int close = stat.lastIndexOf(')');
    if (close < 0) continue;
    const QList<QByteArray> fields = stat.mid(close + 2).split(' ');  // state ppid pgrp ...
    if (fields.size() > 2 && fields[2].toInt() == pgid && fields[0] != "Z") return false;
  }
  return true;
}

// No living process is left in the process group `pgid` within `timeoutMs`.
inline bool groupGone(int pgid, int timeoutMs) {
  return waitFor([&] { return (::kill(-pgid, 0) == -1 && errno == ESRCH) || onlyZombiesIn(pgid); },
                 timeoutMs);
}

}  // namespace understudy::test
