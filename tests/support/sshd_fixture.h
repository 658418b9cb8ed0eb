// A throwaway sshd on 127.0.0.1 for tests of what Understudy does over ssh
// (`nodes test`, remote ranks). Header-only; Qt and POSIX allowed (tests are
// not core).
//
//   SshdFixture sshd;                 // starts sshd (or records why it could not)
//   US_REQUIRE_SSHD(sshd);            // QSKIP without /usr/sbin/sshd, QFAIL with sshd's log if it did not start
//   sshd.exportConfig();              // UNDERSTUDY_SSH_CONFIG=<its ssh config> until the fixture goes
//   runCli({"nodes", "add", "-w", ws, "--name", "n1", "--host", sshd.alias()});
//   // or --host sshd.host() --port sshd.port() --user sshd.user()
//
// Everything lives in one QTemporaryDir: a host key and a user key made with
// ssh-keygen, authorized_keys (the user key), sshd_config and the client's
// ssh config (IdentityFile, a known_hosts that already holds the host key,
// StrictHostKeyChecking yes, BatchMode yes). sshd runs in the foreground
// (-D -e: its log goes to sshd.log) in its own process group, listening on
// 127.0.0.1 only, on a free high port; no system service is involved. It
// authenticates only the current user, by key (no PAM, no password).
//
// The destructor stops the listener and every process below it: sshd gives
// each connection its own session, so killing the listener's process group
// alone would leave them. It freezes (SIGSTOP) the whole tree until no new
// process appears, then SIGKILLs it, so no orphan survives, and restores
// UNDERSTUDY_SSH_CONFIG. sshd also dies with the test process
// (PR_SET_PDEATHSIG) if the test crashes.
#pragma once

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QString>
#include <QTemporaryDir>
#include <QtTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "free_port.h"

namespace understudy::test {

class SshdFixture {
 public:
  static constexpr const char* kSshd = "/usr/sbin/sshd";
  static constexpr const char* kAlias = "understudy-test-sshd";

  SshdFixture() {
    if (!QFile::exists(kSshd)) {
      m_missing = true;
      m_error = QStringLiteral("%1 is not installed (./scripts/install-deps --tests installs "
                               "openssh-server)").arg(kSshd);
      return;
    }
    if (!m_dir.isValid()) {
      m_error = QStringLiteral("cannot make a temporary folder: ") + m_dir.errorString();
      return;
    }
    if (!makeKeys()) return;
    // The port is free when it is picked; another process may still take it
    // before sshd binds it, so a bind failure is tried again on a new port.
    for (int attempt = 0; attempt < 5 && !m_started; ++attempt) {
      m_port = freePort();
      if (m_port == 0) {
        m_error = QStringLiteral("no free port on 127.0.0.1");
        return;
      }
      if (!writeConfigs()) return;
      m_started = startSshd();
      if (!m_started && !log().contains("Address already in use")) break;
    }
  }

  ~SshdFixture() {
    stop();
    if (m_exported) {
      if (m_previousConfig.isNull())
        qunsetenv("UNDERSTUDY_SSH_CONFIG");
      else
        qputenv("UNDERSTUDY_SSH_CONFIG", m_previousConfig);
    }
  }

  SshdFixture(const SshdFixture&) = delete;
  SshdFixture& operator=(const SshdFixture&) = delete;

  bool missing() const { return m_missing; }  // no sshd installed
  bool started() const { return m_started; }
  // Why it did not start, with sshd's log.
  QString error() const { return m_error; }

  QString host() const { return QStringLiteral("127.0.0.1"); }
  int port() const { return m_port; }
  QString user() const { return m_user; }
  // A Host alias in sshConfigPath() that carries host, port and user.
  QString alias() const { return QString::fromLatin1(kAlias); }
  // The ssh config to pass as `ssh -F` (UNDERSTUDY_SSH_CONFIG).
  QString sshConfigPath() const { return m_dir.filePath("ssh_config"); }
  QString folder() const { return m_dir.path(); }
  int pid() const { return m_pid; }
  // What sshd has logged so far (-e: its stderr).
  QString log() const {
    QFile f(m_dir.filePath("sshd.log"));
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
  }

  // Sets UNDERSTUDY_SSH_CONFIG to sshConfigPath() for this process and the
  // programs it starts, until the fixture is destroyed.
  void exportConfig() {
    if (!m_exported) m_previousConfig = qgetenv("UNDERSTUDY_SSH_CONFIG");
    m_exported = true;
    qputenv("UNDERSTUDY_SSH_CONFIG", sshConfigPath().toLocal8Bit());
  }

  // Stops sshd and everything it started (see the header comment). Safe to call twice.
  void stop() {
    if (m_pid <= 0) return;
    std::set<int> tree;
    // Freeze the tree, then look again: a process forked before the freeze
    // reached it is caught on the next pass.
    for (int pass = 0; pass < 20; ++pass) {
      const std::set<int> now = descendants(m_pid);
      bool grown = false;
      for (int p : now)
        if (tree.insert(p).second) grown = true;
      for (int p : now) ::kill(p, SIGSTOP);
      if (!grown) break;
    }
    ::kill(-m_pid, SIGKILL);
    for (int p : tree) ::kill(p, SIGKILL);
    int status = 0;
    ::waitpid(m_pid, &status, 0);
    m_pid = -1;
  }

 private:
  bool run(const QString& program, const QStringList& args) {
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(30000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
      m_error = program + " " + args.join(' ') + " failed: " +
                QString::fromLocal8Bit(p.readAllStandardError());
      return false;
    }
    return true;
  }

  bool makeKeys() {
    const passwd* pw = ::getpwuid(::getuid());
    if (!pw) {
      m_error = QStringLiteral("the current user (uid %1) has no passwd entry").arg(::getuid());
      return false;
    }
    m_user = QString::fromLocal8Bit(pw->pw_name);
    for (const char* key : {"host_key", "user_key"})
      if (!run("ssh-keygen", {"-q", "-t", "ed25519", "-N", "", "-C", "understudy-test",
                              "-f", m_dir.filePath(key)}))
        return false;
    QFile::remove(m_dir.filePath("authorized_keys"));
    if (!QFile::copy(m_dir.filePath("user_key.pub"), m_dir.filePath("authorized_keys"))) {
      m_error = QStringLiteral("cannot write authorized_keys in ") + m_dir.path();
      return false;
    }
    // sshd running as root needs its privilege-separation folder.
    if (::geteuid() == 0) ::mkdir("/run/sshd", 0755);
    return true;
  }

  static int freePort() { return unusedLoopbackPort(); }

  static bool accepts(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
  }

  bool writeFile(const QString& name, const QByteArray& text) {
    QFile f(m_dir.filePath(name));
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(text) != text.size()) {
      m_error = QStringLiteral("cannot write ") + f.fileName();
      return false;
    }
    return true;
  }

  bool writeConfigs() {
    const QString d = m_dir.path();
    const QByteArray sshdConfig = QStringLiteral(
        "Port %1\n"
        "ListenAddress 127.0.0.1\n"
        "HostKey %2/host_key\n"
        "AuthorizedKeysFile %2/authorized_keys\n"
        "AllowUsers %3\n"
        "PubkeyAuthentication yes\n"
        "PasswordAuthentication no\n"
        "KbdInteractiveAuthentication no\n"
        "PermitRootLogin prohibit-password\n"
        "StrictModes no\n"
        "UsePAM no\n"
        "PidFile none\n"
        "UseDNS no\n"
        "PrintMotd no\n"
        "PrintLastLog no\n"
        "MaxStartups 100\n"
        "MaxSessions 100\n").arg(m_port).arg(d, m_user).toLocal8Bit();
    QFile hostPub(m_dir.filePath("host_key.pub"));
    if (!hostPub.open(QIODevice::ReadOnly)) {
      m_error = QStringLiteral("cannot read ") + hostPub.fileName();
      return false;
    }
    const QList<QByteArray> keyFields = hostPub.readAll().trimmed().split(' ');
    const QByteArray knownHosts = QStringLiteral("[127.0.0.1]:%1 ").arg(m_port).toLocal8Bit() +
                                  keyFields.value(0) + ' ' + keyFields.value(1) + '\n';
    const QByteArray sshConfig = QStringLiteral(
        "Host %1\n"
        "  HostName 127.0.0.1\n"
        "  Port %2\n"
        "  User %3\n"
        "Host *\n"
        "  IdentityFile %4/user_key\n"
        "  IdentitiesOnly yes\n"
        "  UserKnownHostsFile %4/known_hosts\n"
        "  GlobalKnownHostsFile /dev/null\n"
        "  StrictHostKeyChecking yes\n"
        "  BatchMode yes\n"
        "  LogLevel ERROR\n").arg(alias()).arg(m_port).arg(m_user, d).toLocal8Bit();
    return writeFile("sshd_config", sshdConfig) && writeFile("known_hosts", knownHosts) &&
           writeFile("ssh_config", sshConfig);
  }

  bool startSshd() {
    const QByteArray config = m_dir.filePath("sshd_config").toLocal8Bit();
    const QByteArray logPath = m_dir.filePath("sshd.log").toLocal8Bit();
    // Everything the child needs is made before fork (only async-signal-safe calls after it).
    const char* argv[] = {kSshd, "-D", "-e", "-f", config.constData(), nullptr};
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) {
      m_error = QStringLiteral("fork failed");
      return false;
    }
    if (pid == 0) {
      ::setpgid(0, 0);
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);
      const int log = ::open(logPath.constData(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      const int null = ::open("/dev/null", O_RDWR);
      if (log >= 0) ::dup2(log, 2);
      if (null >= 0) {
        ::dup2(null, 0);
        ::dup2(null, 1);
      }
      ::execv(kSshd, const_cast<char* const*>(argv));
      ::_exit(127);
    }
    ::setpgid(pid, pid);
    m_pid = pid;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        m_pid = -1;
        const QString how = WIFEXITED(status)
                                ? QStringLiteral("exit status %1").arg(WEXITSTATUS(status))
                                : QStringLiteral("signal %1").arg(WTERMSIG(status));
        m_error = QStringLiteral("sshd ended (%1) before it accepted connections on "
                                 "127.0.0.1:%2; its log:\n%3")
                      .arg(how)
                      .arg(m_port)
                      .arg(log());
        return false;
      }
      if (accepts(m_port)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    m_error = QStringLiteral("sshd did not accept connections on 127.0.0.1:%1 within 15 s; its "
                             "log:\n%2").arg(m_port).arg(log());
    stop();
    return false;
  }

  // Every live process below `root` (by parent pid, from /proc), not `root` itself.
  static std::set<int> descendants(int root) {
    std::multimap<int, int> children;  // parent -> child
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs);
    for (const QString& entry : entries) {
      bool isPid = false;
      const int pid = entry.toInt(&isPid);
      if (!isPid) continue;
      QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
      if (!f.open(QIODevice::ReadOnly)) continue;
      const QByteArray stat = f.readAll();
      const int close = stat.lastIndexOf(')');
      if (close < 0) continue;
      // After ") ": state, ppid, ...
      const QList<QByteArray> fields = stat.mid(close + 2).split(' ');
      if (fields.size() < 2 || fields[0] == "Z") continue;
      children.emplace(fields[1].toInt(), pid);
    }
    std::set<int> found;
    std::vector<int> todo{root};
    while (!todo.empty()) {
      const int p = todo.back();
      todo.pop_back();
      auto [begin, end] = children.equal_range(p);
      for (auto it = begin; it != end; ++it)
        if (found.insert(it->second).second) todo.push_back(it->second);
    }
    return found;
  }

  QTemporaryDir m_dir;
  QString m_user;
  QString m_error;
  int m_port = 0;
  int m_pid = -1;
  bool m_missing = false;
  bool m_started = false;
  bool m_exported = false;
  QByteArray m_previousConfig;
};

}  // namespace understudy::test

// In a test function: skips the test when sshd is not installed, fails it
// (with sshd's log) when sshd did not start.
#define US_REQUIRE_SSHD(fixture)                                         \
  do {                                                                   \
    if ((fixture).missing()) QSKIP(qPrintable((fixture).error()));       \
    QVERIFY2((fixture).started(), qPrintable((fixture).error()));        \
  } while (false)
