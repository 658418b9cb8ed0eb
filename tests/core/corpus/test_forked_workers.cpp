// runForkedTasks (core/corpus/synth/forked_workers.h), the worker pool behind
// the synthetic corpus and its LM lexicon, with children that do no espeak-ng
// work: lines in order, at most `jobs` children at once, failures by task with
// their reason, nothing new after a failure, cancellation stops the children.
#include <QTemporaryDir>
#include <QtTest>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/corpus/synth/forked_workers.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"

using namespace understudy;
using namespace understudy::synth;
namespace fs = std::filesystem;

namespace {

using Failures = std::vector<std::pair<std::size_t, std::string>>;

// (task, why) of every failure, by task.
Failures failuresByTask(const ForkedRun& run) {
  Failures out;
  for (const auto& f : run.failures) out.emplace_back(f.task, f.why);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

class TestForkedWorkers : public QObject {
  Q_OBJECT

 private slots:
  void testEveryTaskRunsAndItsLinesArriveInOrder() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    std::map<std::size_t, std::vector<std::string>> lines;
    std::vector<std::size_t> succeeded;
    ForkedTasks t;
    t.count = 7;
    t.jobs = 3;
    t.what = "test";
    t.child = [&](std::size_t i, ChildChannel& out) {
      for (int k = 0; k < 3; ++k) out.send(std::to_string(i) + "." + std::to_string(k));
      writeFileAtomically(dir / std::to_string(i), "done");  // the child's own result
    };
    t.onLine = [&](std::size_t i, const std::string& line) { lines[i].push_back(line); };
    t.onSuccess = [&](std::size_t i) {
      succeeded.push_back(i);
      return fs::is_regular_file(dir / std::to_string(i));
    };
    const ForkedRun run = runForkedTasks(t);
    QVERIFY(!run.cancelled);
    QVERIFY(run.failures.empty());
    std::sort(succeeded.begin(), succeeded.end());
    QCOMPARE(succeeded, (std::vector<std::size_t>{0, 1, 2, 3, 4, 5, 6}));
    QCOMPARE(lines.size(), std::size_t(7));
    for (const auto& [i, l] : lines) {
      const std::string p = std::to_string(i) + ".";
      QCOMPARE(l, (std::vector<std::string>{p + "0", p + "1", p + "2"}));
    }
  }

  void testAtMostJobsChildrenAtOnce() {
    // Each child marks itself running in a folder, waits, counts the marks.
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    int most = 0;
    ForkedTasks t;
    t.count = 6;
    t.jobs = 2;
    t.what = "test";
    t.child = [&](std::size_t i, ChildChannel& out) {
      const fs::path mark = dir / ("running-" + std::to_string(i));
      writeFileAtomically(mark, "");
      std::this_thread::sleep_for(std::chrono::milliseconds(150));
      int n = 0;
      for (const auto& e : fs::directory_iterator(dir))
        n += e.path().filename().string().rfind("running-", 0) == 0 ? 1 : 0;
      out.send(std::to_string(n));
      fs::remove(mark);
    };
    t.onLine = [&](std::size_t, const std::string& line) {
      most = std::max(most, std::stoi(line));
    };
    const ForkedRun run = runForkedTasks(t);
    QVERIFY(run.failures.empty());
    QCOMPARE(most, 2);
  }

  void testFailuresNameTheirTaskAndReason() {
    ForkedTasks t;
    t.count = 5;
    t.jobs = 5;  // all start before the first failure is seen
    t.what = "test";
    t.noResult = "no result";
    t.child = [](std::size_t i, ChildChannel& out) {
      out.send("line");
      if (i == 1) throw US_ERROR("boom").utterance("u7");
      if (i == 2) throw std::runtime_error("bang");
      if (i == 3) {
        out.send("E about to crash");  // the child's own word wins over the signal
        ::kill(::getpid(), SIGKILL);
      }
      // 0 succeeds; 4 exits cleanly but its result is refused below.
    };
    std::vector<std::string> seen;
    t.onLine = [&](std::size_t, const std::string& line) { seen.push_back(line); };
    t.onSuccess = [](std::size_t i) { return i != 4; };
    ForkedRun run = runForkedTasks(t);
    QCOMPARE(seen, std::vector<std::string>(5, "line"));  // "E " lines never reach onLine
    QCOMPARE(failuresByTask(run), (Failures{{1, "utterance 'u7': boom"},  // Error::message()
                                            {2, "bang"},
                                            {3, "about to crash"},
                                            {4, "no result"}}));

    // Without an "E " line: the signal, or noResult.
    t.child = [](std::size_t i, ChildChannel&) {
      if (i == 3) ::kill(::getpid(), SIGKILL);
      if (i == 1) ::_exit(3);
    };
    run = runForkedTasks(t);
    QCOMPARE(failuresByTask(run),
             (Failures{{1, "no result"}, {3, "killed by signal 9"}, {4, "no result"}}));
  }

  void testNothingStartsAfterAFailure() {
    std::vector<std::size_t> started;
    ForkedTasks t;
    t.count = 4;
    t.jobs = 1;
    t.what = "test";
    t.child = [](std::size_t i, ChildChannel& out) {
      out.send("started");
      if (i == 1) throw std::runtime_error("task 1 fails");
    };
    t.onLine = [&](std::size_t i, const std::string&) { started.push_back(i); };
    const ForkedRun run = runForkedTasks(t);
    QCOMPARE(started, (std::vector<std::size_t>{0, 1}));
    QCOMPARE(failuresByTask(run), (Failures{{1, "task 1 fails"}}));
  }

  void testCancellationStopsTheChildren() {
    std::vector<std::size_t> started;
    ForkedTasks t;
    t.count = 4;
    t.jobs = 2;
    t.what = "test";
    t.child = [](std::size_t, ChildChannel& out) {
      out.send("started");
      std::this_thread::sleep_for(std::chrono::seconds(30));
    };
    t.onLine = [&](std::size_t i, const std::string&) { started.push_back(i); };
    t.cancelled = [&] { return started.size() >= 2; };
    const auto start = std::chrono::steady_clock::now();
    const ForkedRun run = runForkedTasks(t);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    QVERIFY(run.cancelled);
    QVERIFY(run.failures.empty());  // stopped children are not failures
    std::sort(started.begin(), started.end());
    QCOMPARE(started, (std::vector<std::size_t>{0, 1}));
    QVERIFY2(seconds < 10, std::to_string(seconds).c_str());
  }
};

QTEST_APPLESS_MAIN(TestForkedWorkers)
#include "test_forked_workers.moc"
