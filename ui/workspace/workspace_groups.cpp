#include "ui/workspace/workspace_groups.h"

#include <QLocale>
#include <QVariant>

namespace understudy::ui {

namespace {

QString field(const QSqlRecord& r, const char* name) { return r.value(name).toString(); }

QString limitClause() { return QStringLiteral(" LIMIT %1").arg(WorkspaceGroups::kRowLimit); }

}  // namespace

std::vector<WorkspaceGroupSpec> WorkspaceGroups::all() {
  std::vector<WorkspaceGroupSpec> groups;

  WorkspaceGroupSpec datasets;
  datasets.group = WorkspaceGroup::Datasets;
  datasets.key = QStringLiteral("datasets");
  datasets.title = tr("Datasets");
  datasets.emptyText =
      tr("No datasets yet — import one with `understudy-cli corpus import` "
         "or `corpus synth`");
  datasets.emptyTitle = tr("No datasets yet");
  datasets.emptyHint =
      tr("Import a Kaldi data directory or a JSONL manifest with "
         "`understudy-cli corpus import`, or make the synthetic "
         "voice-assistant corpus with `understudy-cli corpus synth`.");
  datasets.sql = QStringLiteral(
                     "SELECT id, name, kind, condition, num_utterances, num_skipped, "
                     "ROUND(total_seconds / 3600.0, 2) AS hours, source, source_path, "
                     "REPLACE(SUBSTR(created_at, 1, 19), 'T', ' ') AS created_at "
                     "FROM datasets ORDER BY name") +
                 limitClause();
  datasets.headers = {tr("ID"),          tr("Name"),         tr("Kind"),  tr("Condition"),
                      tr("Utterances"),  tr("Skipped"),      tr("Hours"), tr("Source"),
                      tr("Source path"), tr("Created (UTC)")};
  datasets.summary = [](const QSqlRecord& r) {
    QStringList parts{field(r, "kind")};
    parts << tr("%1 utt.").arg(QLocale().toString(r.value("num_utterances").toLongLong()));
    parts << tr("%1 h").arg(QLocale().toString(r.value("hours").toDouble(), 'f', 2));
    return parts.join(QStringLiteral(" · "));
  };
  groups.push_back(datasets);

  WorkspaceGroupSpec models;
  models.group = WorkspaceGroup::Models;
  models.key = QStringLiteral("models");
  models.title = tr("Models");
  models.emptyText = tr("No models yet — train one with `understudy-cli train`");
  models.emptyTitle = tr("No models yet");
  models.emptyHint =
      tr("Train a teacher or a student with `understudy-cli train`. Trained models are listed "
         "here.");
  models.sql = QStringLiteral(
                   "SELECT id, name, role, num_params, run_id, path, REPLACE(SUBSTR(created_at, 1, "
                   "19), 'T', ' ') AS created_at "
                   "FROM models ORDER BY id DESC") +
               limitClause();
  models.headers = {tr("ID"),  tr("Name"), tr("Role"),         tr("Parameters"),
                    tr("Run"), tr("Path"), tr("Created (UTC)")};
  models.summary = [](const QSqlRecord& r) {
    QStringList parts;
    if (!field(r, "role").isEmpty()) parts << field(r, "role");
    const qint64 params = r.value("num_params").toLongLong();
    if (params > 0) parts << tr("%1 M parameters").arg(QLocale().toString(params / 1e6, 'f', 2));
    return parts.join(QStringLiteral(" · "));
  };
  groups.push_back(models);

  WorkspaceGroupSpec runs;
  runs.group = WorkspaceGroup::Runs;
  runs.key = QStringLiteral("runs");
  runs.title = tr("Runs");
  runs.emptyText = tr("No runs yet — start one with `understudy-cli train`");
  runs.emptyTitle = tr("No runs yet");
  runs.emptyHint =
      tr("Start one with `understudy-cli features`, `targets` or `train`. Runs started "
         "from a terminal appear here while they run.");
  runs.sql = QStringLiteral(
                 "SELECT id, CASE WHEN name = '' THEN kind ELSE name END AS name, kind, status, "
                 "host, REPLACE(SUBSTR(started_at, 1, 19), 'T', ' ') AS started_at, "
                 "REPLACE(SUBSTR(finished_at, 1, 19), 'T', ' ') AS finished_at, "
                 "parent_run_id, error "
                 "FROM runs ORDER BY id DESC") +
             limitClause();
  runs.headers = {tr("ID"),   tr("Name"),          tr("Kind"),           tr("Status"),
                  tr("Host"), tr("Started (UTC)"), tr("Finished (UTC)"), tr("Parent"),
                  tr("Error")};
  runs.summary = [](const QSqlRecord& r) {
    return QStringLiteral("#%1 · %2 · %3")
        .arg(field(r, "id"), field(r, "kind"), field(r, "status"));
  };
  groups.push_back(runs);

  WorkspaceGroupSpec nodes;
  nodes.group = WorkspaceGroup::Nodes;
  nodes.key = QStringLiteral("nodes");
  nodes.title = tr("Nodes");
  nodes.emptyText = tr("No nodes registered — runs use this machine only");
  nodes.emptyTitle = tr("No nodes registered");
  nodes.emptyHint =
      tr("Runs use this machine only. Machines registered for distributed "
         "training are listed here with their CPUs, GPUs and status.");
  nodes.sql = QStringLiteral(
                  "SELECT id, name, host, ssh_user, ssh_port, cpus, gpus, status, "
                  "REPLACE(SUBSTR(last_seen, 1, 19), 'T', ' ') AS last_seen, "
                  "workspace_path FROM nodes ORDER BY name") +
              limitClause();
  nodes.headers = {
      tr("ID"),   tr("Name"), tr("Host"),   tr("SSH user"),        tr("SSH port"),
      tr("CPUs"), tr("GPUs"), tr("Status"), tr("Last seen (UTC)"), tr("Workspace path")};
  nodes.summary = [](const QSqlRecord& r) {
    QStringList parts{field(r, "status")};
    parts << tr("CPUs: %1").arg(r.value("cpus").toInt());
    if (r.value("gpus").toInt() > 0) parts << tr("GPUs: %1").arg(r.value("gpus").toInt());
    return parts.join(QStringLiteral(" · "));
  };
  groups.push_back(nodes);

  return groups;
}

WorkspaceGroupSpec WorkspaceGroups::spec(WorkspaceGroup group) {
  return all().at(static_cast<std::size_t>(group));
}

bool WorkspaceGroups::fromKey(const QString& key, WorkspaceGroup* group) {
  for (const auto& spec : all()) {
    if (spec.key.compare(key, Qt::CaseInsensitive) == 0) {
      if (group) *group = spec.group;
      return true;
    }
  }
  return false;
}

}  // namespace understudy::ui
