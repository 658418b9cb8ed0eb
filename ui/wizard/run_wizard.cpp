#include "ui/wizard/run_wizard.h"

#include <QAbstractButton>
#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QScrollArea>
#include <QSaveFile>
#include <QShortcut>
#include <QSqlQuery>
#include <QTabWidget>
#include <QVBoxLayout>
#include <QWizardPage>
#include <algorithm>
#include <exception>

#include "core/recipe/model_options.h"
#include "core/recipe/recipe.h"
#include "core/recipe/trainer_config.h"
#include "core/util/error.h"
#include "ui/wizard/recipe_document.h"
#include "ui/wizard/run_estimates.h"
#include "ui/workspace/workspace_connection.h"

namespace understudy::ui {

// A page whose Next asks the wizard to check the recipe up to it, and which
// reloads its forms from the document whenever it is shown.
class WizardPage : public QWizardPage {
 public:
  WizardPage(RunWizard* wizard, int id) : m_wizard(wizard), m_id(id) {}
  bool validatePage() override { return m_wizard->checkPages(m_id); }
  void cleanupPage() override {}  // Back keeps what was entered

 private:
  RunWizard* m_wizard;
  int m_id;
};

namespace {

// The trainer keys the training and distribution pages show, in this order.
const char* const kTrainingKeys[] = {"max_steps",           "optimizer.kind",      "optimizer.lr",
                                     "schedule.kind",       "schedule.warmup_steps", "schedule.decay_rate",
                                     "schedule.decay_steps", "schedule.min_lr"};
const char* const kStreamKeys[] = {"streams.kind", "streams.ratio", "streams.labeled_lr_multiplier",
                                   "streams.soft_epochs"};
const char* const kDistributionKeys[] = {"distribution.algorithm",        "distribution.gtc.threshold",
                                         "distribution.gtc.target_fraction", "distribution.bmuf.block_steps",
                                         "distribution.bmuf.block_momentum", "distribution.bmuf.block_lr"};
// The model keys the model page shows (num_units comes from the targets).
const char* const kModelKeys[] = {"kind", "input_dim", "stack", "subsample", "layers", "cells", "projection", "dropout"};

// `corpus synth` makes these sets (core/corpus/synth/synth_plan.cpp, docs/corpus.md).
const char* const kSynthLabeled[] = {"synth-labeled"};
const char* const kSynthUnlabeled[] = {"synth-unlabeled"};
const char* const kSynthTests[] = {"synth-test-clean", "synth-test-noisy", "synth-test-unseen-variant"};

const std::vector<recipe::KeyInfo>& trainerKeys() {
  static const auto keys = recipe::TrainerConfig::fields().keys();
  return keys;
}
const std::vector<recipe::KeyInfo>& modelKeys() {
  static const auto keys = [] {
    auto k = recipe::ModelOptions::fields().keys();
    // The preset is a key of the trainer's model section, not of the options.
    for (const auto& t : trainerKeys())
      if (t.key == "model.preset") k.insert(k.begin(), {"preset", "", t.range, t.help});
    return k;
  }();
  return keys;
}

// "a | b | c" (a choice range) into its choices; empty for any other range.
QStringList choicesOf(const recipe::KeyInfo& info) {
  const QString range = QString::fromStdString(info.range);
  if (!range.contains(QLatin1String(" | ")) || range.startsWith(QLatin1Char('[')) || range.startsWith(QLatin1Char('(')))
    return {};
  QString plain = range;
  const int note = plain.indexOf(QLatin1String(" ("));
  if (note >= 0) plain.truncate(note);
  return plain.split(QStringLiteral(" | "));
}

bool isBool(const recipe::KeyInfo& info) { return info.defaultValue == "true" || info.defaultValue == "false"; }

QString fromStd(const std::string& s) { return QString::fromStdString(s); }

// "students.models[2].streams.ratio" -> index 2 and rest "streams.ratio".
bool studentKey(const std::string& key, int* index, std::string* rest) {
  static const std::string prefix = "students.models[";
  if (key.rfind(prefix, 0) != 0) return false;
  const std::size_t close = key.find(']', prefix.size());
  if (close == std::string::npos) return false;
  *index = std::stoi(key.substr(prefix.size(), close - prefix.size()));
  *rest = close + 2 <= key.size() ? key.substr(close + 2) : std::string();
  return true;
}

QLabel* makeErrorLabel(QWidget* parent) {
  auto* l = new QLabel(parent);
  l->setWordWrap(true);
  l->setTextFormat(Qt::PlainText);
  l->setStyleSheet(QStringLiteral("color: #b00020;"));
  l->setVisible(false);
  return l;
}

void setError(QLabel* label, const QString& text) {
  if (!label) return;
  label->setText(text);
  label->setVisible(!text.isEmpty());
}

}  // namespace

// ---- construction ---------------------------------------------------------------------

RunWizard::RunWizard(const QString& workspacePath, QWidget* parent)
    : QWizard(parent), m_workspace(workspacePath), m_doc(std::make_unique<RecipeDocument>()) {
  setWindowTitle(tr("New run"));
  setOption(QWizard::NoBackButtonOnStartPage, true);
  setOption(QWizard::HaveHelpButton, false);
  // The distribution page's longest row (nodes, in German too) fits without a
  // scroll bar from here; smaller, it was cut off.
  setMinimumSize(800, 640);
  setButtonText(QWizard::FinishButton, tr("Save and &launch"));
  readWorkspace();
  buildKindPage();
  buildDatasetsPage();
  buildModelPage();
  buildTrainingPage();
  buildDistributionPage();
  buildReviewPage();
  loadRecipeText(QStringLiteral("name: experiment\n"));
  setKind(Kind::Full);
  connect(this, &QWizard::currentIdChanged, this, [this](int id) {
    loadFields();
    if (id == ReviewPageId) refreshReview();
    bool ok = true;
    showErrors(false, id, &ok);
  });
}

RunWizard::~RunWizard() = default;

void RunWizard::readWorkspace() {
  QString error;
  auto ws = WorkspaceConnection::open(m_workspace, &error);
  if (!ws) return;  // a wizard without a workspace still writes recipes
  {
    QSqlQuery q(ws->database());
    q.exec(QStringLiteral("SELECT name, kind, num_utterances, total_seconds FROM datasets ORDER BY name"));
    while (q.next())
      m_datasets.push_back({q.value(0).toString(), q.value(1).toString(), q.value(2).toLongLong(),
                            q.value(3).toDouble() / 3600.0});
    q.exec(QStringLiteral("SELECT num_units FROM unit_inventories ORDER BY id DESC LIMIT 1"));
    if (q.next()) m_units = q.value(0).toLongLong();
    q.exec(QStringLiteral("SELECT name FROM nodes ORDER BY name"));
    while (q.next()) m_nodes << q.value(0).toString();
  }
}

QWidget* RunWizard::makeEditor(const recipe::KeyInfo& info) {
  QWidget* editor = nullptr;
  const QStringList choices = choicesOf(info);
  if (isBool(info)) {
    editor = new QCheckBox;
  } else if (!choices.isEmpty()) {
    auto* combo = new QComboBox;
    if (info.defaultValue.empty()) combo->addItem(tr("custom"), QString());
    for (const QString& c : choices) combo->addItem(c, c);
    editor = combo;
  } else {
    auto* edit = new QLineEdit;
    edit->setPlaceholderText(fromStd(info.defaultValue));
    editor = edit;
  }
  QString tip = fromStd(info.help);
  if (!info.range.empty()) tip += QLatin1Char('\n') + tr("Allowed: %1").arg(fromStd(info.range));
  tip += QLatin1Char('\n') + tr("Default: %1").arg(info.defaultValue.empty() ? tr("(none)") : fromStd(info.defaultValue));
  editor->setToolTip(tip);
  editor->setWhatsThis(tip);
  return editor;
}

RunWizard::Field& RunWizard::addField(QFormLayout* form, const std::vector<recipe::KeyInfo>& table,
                                      const std::string& key, const QString& scope, int page, int tab) {
  auto f = std::make_unique<Field>();
  const auto it = std::find_if(table.begin(), table.end(), [&](const recipe::KeyInfo& k) { return k.key == key; });
  f->info = it != table.end() ? *it : recipe::KeyInfo{key, "", "", ""};
  f->scope = scope;
  f->key = key;
  f->name = scope + QLatin1Char('/') + fromStd(key);
  f->page = page;
  f->tab = tab;
  f->editor = makeEditor(f->info);
  f->editor->setObjectName(f->name);
  f->error = makeErrorLabel(form->parentWidget());
  f->error->setObjectName(QStringLiteral("error:") + f->name);
  auto* label = new QLabel(fromStd(key));
  label->setToolTip(f->editor->toolTip());
  label->setBuddy(f->editor);
  form->addRow(label, f->editor);
  form->addRow(QString(), f->error);
  Field* raw = f.get();
  if (auto* edit = qobject_cast<QLineEdit*>(raw->editor))
    connect(edit, &QLineEdit::textChanged, this, [this, raw] { onFieldEdited(*raw); });
  else if (auto* combo = qobject_cast<QComboBox*>(raw->editor))
    connect(combo, qOverload<int>(&QComboBox::currentIndexChanged), this, [this, raw] { onFieldEdited(*raw); });
  else if (auto* box = qobject_cast<QCheckBox*>(raw->editor))
    connect(box, &QCheckBox::toggled, this, [this, raw] { onFieldEdited(*raw); });
  m_fields.push_back(std::move(f));
  return *raw;
}

void RunWizard::buildKindPage() {
  auto* page = new WizardPage(this, KindPageId);
  page->setTitle(tr("Kind of experiment"));
  page->setSubTitle(tr("What the recipe runs. Every step is cached: a teacher trained before is reused."));
  auto* layout = new QVBoxLayout(page);
  m_kindGroup = new QButtonGroup(page);
  const struct {
    Kind kind;
    QString text, help;
    const char* name;
  } kinds[] = {
      {Kind::Teacher, tr("&Teacher"), tr("Train a teacher (bidirectional LSTM) on the labeled data and decode the tests."), "kind/teacher"},
      {Kind::Labeling, tr("&Labeling"), tr("A teacher, then its soft labels (top-k posteriors) for the unlabeled data."), "kind/labeling"},
      {Kind::Student, tr("&Student"), tr("A teacher, its labels and one streaming student trained on them."), "kind/student"},
      {Kind::Full, tr("&Full semi-supervised recipe"),
       tr("Teacher, labels, a labeled-only baseline and a student, compared by word error rate."), "kind/full"},
  };
  for (const auto& k : kinds) {
    auto* radio = new QRadioButton(k.text);
    radio->setObjectName(QLatin1String(k.name));
    radio->setToolTip(k.help);
    m_kindGroup->addButton(radio, static_cast<int>(k.kind));
    layout->addWidget(radio);
    auto* help = new QLabel(k.help);
    help->setWordWrap(true);
    help->setContentsMargins(24, 0, 0, 6);
    layout->addWidget(help);
  }
  connect(m_kindGroup, &QButtonGroup::idClicked, this, [this](int id) { setKind(static_cast<Kind>(id)); });
  auto* form = new QFormLayout;
  layout->addLayout(form);
  Field& name = addField(form, {{"name", "", "no spaces or slashes",
                                 tr("the recipe's name: its run, and WS/recipes/<name>/ for its files").toStdString()}},
                         "name", QStringLiteral("recipe"), KindPageId);
  Q_UNUSED(name);
  auto* open = new QPushButton(tr("&Open recipe…"));
  open->setObjectName(QStringLiteral("open"));
  open->setToolTip(tr("Edit a recipe saved before (Ctrl+O)"));
  connect(open, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open recipe"), m_workspace, tr("Recipes (*.yaml *.yml)"));
    if (!path.isEmpty() && !loadRecipe(path)) setError(m_pageErrors.value(QStringLiteral("page/0")), m_lastError);
  });
  auto* shortcut = new QShortcut(QKeySequence::Open, this);
  connect(shortcut, &QShortcut::activated, open, &QPushButton::click);
  layout->addWidget(open, 0, Qt::AlignLeft);
  auto* error = makeErrorLabel(page);
  error->setObjectName(QStringLiteral("error:page/0"));
  m_pageErrors.insert(QStringLiteral("page/0"), error);
  layout->addWidget(error);
  layout->addStretch();
  setPage(KindPageId, page);
}

void RunWizard::buildDatasetsPage() {
  auto* page = new WizardPage(this, DatasetsPageId);
  page->setTitle(tr("Datasets"));
  page->setSubTitle(tr("From this workspace: utterances and hours as imported."));
  auto* layout = new QVBoxLayout(page);
  auto* synthRow = new QHBoxLayout;
  m_synth = new QCheckBox(tr("Make the &synthetic corpus first (corpus synth), profile"));
  m_synth->setObjectName(QStringLiteral("corpus/synth"));
  m_synthProfile = new QComboBox;
  m_synthProfile->setObjectName(QStringLiteral("corpus/synth.profile"));
  m_synthProfile->addItems({QStringLiteral("tiny"), QStringLiteral("demo"), QStringLiteral("large")});
  synthRow->addWidget(m_synth);
  synthRow->addWidget(m_synthProfile);
  synthRow->addStretch();
  layout->addLayout(synthRow);
  auto makeList = [&](const QString& title, const char* name, QListWidget** out) {
    auto* box = new QGroupBox(title);
    auto* v = new QVBoxLayout(box);
    auto* list = new QListWidget;
    list->setObjectName(QLatin1String(name));
    v->addWidget(list);
    auto* error = makeErrorLabel(box);
    error->setObjectName(QStringLiteral("error:") + QLatin1String(name));
    m_pageErrors.insert(QLatin1String(name), error);
    v->addWidget(error);
    layout->addWidget(box);
    connect(list, &QListWidget::itemChanged, this, [this] {
      if (m_loading) return;
      storeDatasets();
    });
    *out = list;
  };
  makeList(tr("&Labeled (the teacher's data, and the students' labeled stream)"), "datasets/labeled", &m_labeled);
  makeList(tr("&Unlabeled (what the teacher labels)"), "datasets/unlabeled", &m_unlabeled);
  makeList(tr("&Tests (every model is decoded on each)"), "datasets/tests", &m_tests);
  connect(m_synth, &QCheckBox::toggled, this, [this] {
    if (!m_loading) storeDatasets();
  });
  connect(m_synthProfile, &QComboBox::currentIndexChanged, this, [this] {
    if (!m_loading) storeDatasets();
  });
  auto* error = makeErrorLabel(page);
  error->setObjectName(QStringLiteral("error:page/1"));
  m_pageErrors.insert(QStringLiteral("page/1"), error);
  layout->addWidget(error);
  setPage(DatasetsPageId, page);
}

void RunWizard::buildModelPage() {
  auto* page = new WizardPage(this, ModelPageId);
  page->setTitle(tr("Model"));
  page->setSubTitle(tr("A preset's shape, or your own; the parameter count follows every change."));
  auto* layout = new QHBoxLayout(page);
  auto makeBox = [&](const QString& title, const QString& scope, const QString& trainerScope, QLabel** params) {
    auto* box = new QGroupBox(title);
    auto* form = new QFormLayout(box);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    if (!trainerScope.isEmpty()) addField(form, trainerKeys(), "name", trainerScope, ModelPageId);
    addField(form, modelKeys(), "preset", scope, ModelPageId);
    for (const char* key : kModelKeys) addField(form, modelKeys(), key, scope, ModelPageId);
    *params = new QLabel;
    (*params)->setObjectName(scope + QStringLiteral("/parameters"));
    (*params)->setWordWrap(true);
    form->addRow(*params);
    layout->addWidget(box);
    return box;
  };
  m_teacherModelBox = makeBox(tr("Teacher"), QStringLiteral("teacher.model"), QStringLiteral("teacher"), &m_teacherParams);
  m_studentModelBox =
      makeBox(tr("Students (shared by every student)"), QStringLiteral("students.model"), QString(), &m_studentParams);
  setPage(ModelPageId, page);
}

void RunWizard::buildTrainingPage() {
  auto* page = new WizardPage(this, TrainingPageId);
  page->setTitle(tr("Training"));
  page->setSubTitle(tr("Optimizer, learning rate and schedule; how a student mixes labeled and soft-labeled data."));
  auto* layout = new QVBoxLayout(page);
  m_trainingTabs = new QTabWidget;
  m_trainingTabs->setObjectName(QStringLiteral("trainingTabs"));
  layout->addWidget(m_trainingTabs);
  // Each tab scrolls: longer labels (translations) and small screens.
  auto addTab = [this](QWidget* tab, const QString& title) {
    auto* scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(tab);
    m_trainingTabs->addTab(scroll, title);
  };
  {
    auto* tab = new QWidget;
    auto* form = new QFormLayout(tab);
    for (const char* key : kTrainingKeys) addField(form, trainerKeys(), key, QStringLiteral("teacher"), TrainingPageId, 0);
    addTab(tab, tr("Teacher"));
  }
  {
    auto* tab = new QWidget;
    auto* v = new QVBoxLayout(tab);
    auto* shared = new QGroupBox(tr("Every student"));
    auto* sharedForm = new QFormLayout(shared);
    for (const char* key : kTrainingKeys)
      addField(sharedForm, trainerKeys(), key, QStringLiteral("students.defaults"), TrainingPageId, 1);
    v->addWidget(shared);
    auto* one = new QGroupBox(tr("This student"));
    auto* oneForm = new QFormLayout(one);
    auto* selector = new QComboBox;
    selector->setObjectName(QStringLiteral("training/student"));
    m_studentSelectors.push_back(selector);
    oneForm->addRow(tr("Student"), selector);
    addField(oneForm, trainerKeys(), "name", QStringLiteral("student"), TrainingPageId, 1);
    addField(oneForm, recipe::StudentPlacement::fields().keys(), "group", QStringLiteral("student"), TrainingPageId, 1);
    for (const char* key : kStreamKeys) addField(oneForm, trainerKeys(), key, QStringLiteral("student"), TrainingPageId, 1);
    v->addWidget(one);
    addTab(tab, tr("Students"));
  }
  {
    auto* tab = new QWidget;
    auto* form = new QFormLayout(tab);
    const auto keys = recipe::RecipeLabeling::fields().keys();
    for (const auto& k : keys) addField(form, keys, k.key, QStringLiteral("labeling"), TrainingPageId, 2);
    addTab(tab, tr("Labeling"));
  }
  auto* error = makeErrorLabel(page);
  error->setObjectName(QStringLiteral("error:page/3"));
  m_pageErrors.insert(QStringLiteral("page/3"), error);
  layout->addWidget(error);
  setPage(TrainingPageId, page);
}

void RunWizard::buildDistributionPage() {
  auto* page = new WizardPage(this, DistributionPageId);
  page->setTitle(tr("Distribution"));
  page->setSubTitle(tr("How many processes train a student, where, and how they combine their work."));
  auto* layout = new QVBoxLayout(page);
  auto* inner = new QWidget;
  auto* form = new QFormLayout(inner);
  auto* scroll = new QScrollArea;
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  scroll->setWidget(inner);
  layout->addWidget(scroll, 1);
  auto* selector = new QComboBox;
  selector->setObjectName(QStringLiteral("distribution/student"));
  m_studentSelectors.push_back(selector);
  form->addRow(tr("Student"), selector);
  const auto placement = recipe::StudentPlacement::fields().keys();
  addField(form, placement, "workers", QStringLiteral("student"), DistributionPageId);
  m_local = new QRadioButton(tr("On this &machine"));
  m_local->setObjectName(QStringLiteral("distribution/local"));
  m_onNodes = new QRadioButton(tr("Ranks 1..N-1 on &nodes (rank 0 runs here)"));
  m_onNodes->setObjectName(QStringLiteral("distribution/nodes"));
  auto* where = new QButtonGroup(page);
  where->addButton(m_local);
  where->addButton(m_onNodes);
  form->addRow(tr("Where"), m_local);
  form->addRow(QString(), m_onNodes);
  m_nodeList = new QListWidget;
  m_nodeList->setObjectName(QStringLiteral("student/nodes"));
  m_nodeList->setMaximumHeight(m_nodeList->fontMetrics().height() * 7);
  m_nodeList->setToolTip(fromStd(placement[2].help));
  form->addRow(tr("nodes"), m_nodeList);
  auto* nodesError = makeErrorLabel(page);
  nodesError->setObjectName(QStringLiteral("error:student/nodes"));
  m_pageErrors.insert(QStringLiteral("student/nodes"), nodesError);
  form->addRow(QString(), nodesError);
  addField(form, placement, "master_addr", QStringLiteral("student"), DistributionPageId);
  for (const char* key : kDistributionKeys) addField(form, trainerKeys(), key, QStringLiteral("student"), DistributionPageId);
  connect(m_onNodes, &QRadioButton::toggled, this, [this] {
    if (!m_loading) storeDistribution();
  });
  connect(m_nodeList, &QListWidget::itemChanged, this, [this] {
    if (!m_loading) storeDistribution();
  });
  m_bytes = new QLabel;
  m_bytes->setObjectName(QStringLiteral("distribution/bytes"));
  m_bytes->setWordWrap(true);
  layout->addWidget(m_bytes);
  auto* error = makeErrorLabel(page);
  error->setObjectName(QStringLiteral("error:page/4"));
  m_pageErrors.insert(QStringLiteral("page/4"), error);
  layout->addWidget(error);
  setPage(DistributionPageId, page);
}

void RunWizard::buildReviewPage() {
  auto* page = new WizardPage(this, ReviewPageId);
  page->setTitle(tr("Review"));
  page->setSubTitle(tr("The recipe as it will be saved; `understudy-cli run` runs exactly this file."));
  auto* layout = new QVBoxLayout(page);
  m_preview = new QPlainTextEdit;
  m_preview->setObjectName(QStringLiteral("review/yaml"));
  m_preview->setReadOnly(true);
  m_preview->setLineWrapMode(QPlainTextEdit::NoWrap);
  m_preview->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  layout->addWidget(m_preview);
  auto* row = new QHBoxLayout;
  auto* pathLabel = new QLabel(tr("&File"));
  m_pathEdit = new QLineEdit;
  m_pathEdit->setObjectName(QStringLiteral("review/path"));
  pathLabel->setBuddy(m_pathEdit);
  connect(m_pathEdit, &QLineEdit::textEdited, this, [this](const QString& p) { m_recipePath = p; });
  auto* browse = new QPushButton(tr("Br&owse…"));  // Alt+B is < Back
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString p = QFileDialog::getSaveFileName(this, tr("Save recipe"), recipePath(), tr("Recipes (*.yaml)"));
    if (!p.isEmpty()) setRecipePath(p);
  });
  auto* save = new QPushButton(tr("&Save"));
  save->setObjectName(QStringLiteral("review/save"));
  save->setToolTip(tr("Save the recipe (Ctrl+S)"));
  connect(save, &QPushButton::clicked, this, [this] {
    if (checkPages(ReviewPageId)) saveRecipe();
  });
  auto* shortcut = new QShortcut(QKeySequence::Save, page);
  connect(shortcut, &QShortcut::activated, save, &QPushButton::click);
  row->addWidget(pathLabel);
  row->addWidget(m_pathEdit, 1);
  row->addWidget(browse);
  row->addWidget(save);
  layout->addLayout(row);
  auto* error = makeErrorLabel(page);
  error->setObjectName(QStringLiteral("error:page/5"));
  m_pageErrors.insert(QStringLiteral("page/5"), error);
  layout->addWidget(error);
  setPage(ReviewPageId, page);
}

// ---- the document -------------------------------------------------------------------

bool RunWizard::loadRecipe(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) {
    m_lastError = tr("%1: cannot read the recipe (%2). Check the path.").arg(path, file.errorString());
    return false;
  }
  if (!loadRecipeText(QString::fromUtf8(file.readAll()), path)) return false;
  m_recipePath = path;
  if (m_pathEdit) m_pathEdit->setText(path);
  return true;
}

bool RunWizard::loadRecipeText(const QString& yaml, const QString& fileName) {
  try {
    auto doc = std::make_unique<RecipeDocument>(RecipeDocument::fromText(yaml.toStdString()));
    m_doc = std::move(doc);
  } catch (const std::exception& e) {
    m_lastError = tr("%1: not a YAML recipe: %2. Fix the file or start a new recipe.")
                      .arg(fileName.isEmpty() ? tr("recipe") : fileName, QString::fromUtf8(e.what()));
    return false;
  }
  m_lastError.clear();
  m_kind = kindOfDocument();
  if (auto* b = m_kindGroup->button(static_cast<int>(m_kind))) b->setChecked(true);
  m_student = 0;
  // The student the wizard edits: the first that trains on soft labels.
  const YAML::Node models = m_doc->find("students.models");
  if (models && models.IsSequence())
    for (std::size_t i = 0; i < models.size(); ++i) {
      const auto kind = m_doc->text("students.models[" + std::to_string(i) + "].streams.kind");
      if (kind && *kind != "labeled-only") {
        m_student = static_cast<int>(i);
        break;
      }
    }
  loadFields();
  refreshReview();
  bool ok = true;
  showErrors(false, ReviewPageId, &ok);
  return true;
}

RunWizard::Kind RunWizard::kindOfDocument() const {
  const YAML::Node models = m_doc->find("students.models");
  const int students = models && models.IsSequence() ? static_cast<int>(models.size()) : 0;
  if (students >= 2 || m_doc->has("evaluation.baseline")) return Kind::Full;
  if (students == 1) return Kind::Student;
  if (!m_doc->list("datasets.unlabeled").empty()) return Kind::Labeling;
  return Kind::Teacher;
}

void RunWizard::setKind(Kind kind) {
  m_kind = kind;
  if (auto* b = m_kindGroup->button(static_cast<int>(kind))) b->setChecked(true);
  applyKindTemplate(kind);
  loadFields();
  refreshReview();
}

// Adds what the kind needs and takes out what it does not run; keys the
// person set stay.
void RunWizard::applyKindTemplate(Kind kind) {
  RecipeDocument& d = *m_doc;
  const bool wantsStudents = kind == Kind::Student || kind == Kind::Full;
  if (!d.has("teacher") && (kind != Kind::Student || !d.has("students")))
    d.setText("teacher", "{name: teacher, model: {preset: teacher-small}}");
  if (kind == Kind::Teacher) d.remove("datasets.unlabeled");
  if (!wantsStudents) {
    d.remove("students");
    d.remove("evaluation.baseline");
    if (d.has("evaluation") && d.find("evaluation").size() == 0) d.remove("evaluation");
  }
  if (kind == Kind::Labeling && !d.has("labeling")) d.setText("labeling", "{top_k: 20, precision: fp16}");
  if (wantsStudents && !d.has("students"))
    d.setText("students", "{defaults: {model: {preset: student-small}}, models: [{name: student, group: student, "
                          "streams: {kind: interleave}}]}");
  if (kind == Kind::Full) {
    const YAML::Node models = d.find("students.models");
    bool hasBaseline = false;
    for (std::size_t i = 0; models && models.IsSequence() && i < models.size(); ++i)
      if (d.text("students.models[" + std::to_string(i) + "].streams.kind").value_or("labeled-only") == "labeled-only")
        hasBaseline = true;
    if (!hasBaseline && models && models.IsSequence()) {
      YAML::Node list = d.find("students.models");
      list.push_back(YAML::Load("{name: baseline, group: baseline, streams: {kind: labeled-only}}"));
    }
    if (!d.has("evaluation.baseline")) {
      // The labeled-only student's group, as the parser names it.
      std::string group = "baseline";
      for (std::size_t i = 0; models && models.IsSequence() && i < models.size(); ++i) {
        const std::string p = "students.models[" + std::to_string(i) + "]";
        if (d.text(p + ".streams.kind").value_or("labeled-only") == "labeled-only") {
          group = d.text(p + ".group").value_or(d.text(p + ".name").value_or(group));
          break;
        }
      }
      d.set("evaluation.baseline", YAML::Node(group));
    }
  }
  if (kind == Kind::Student) {
    const YAML::Node models = d.find("students.models");
    if (models && models.IsSequence() && models.size() > 1) {
      // One student: keep the one the wizard edits.
      YAML::Node keep = YAML::Clone(models[static_cast<std::size_t>(std::min<int>(m_student, models.size() - 1))]);
      YAML::Node one(YAML::NodeType::Sequence);
      one.push_back(keep);
      d.set("students.models", one);
    }
    d.remove("evaluation.baseline");
    m_student = 0;
  }
  const YAML::Node models = d.find("students.models");
  const int count = models && models.IsSequence() ? static_cast<int>(models.size()) : 0;
  if (m_student >= count) m_student = 0;
}

std::string RunWizard::sectionPath(const QString& scope) const {
  if (scope == QLatin1String("recipe")) return std::string();
  if (scope == QLatin1String("student")) return "students.models[" + std::to_string(m_student) + "]";
  if (scope == QLatin1String("teacher.model")) return "teacher.model";
  if (scope == QLatin1String("students.model")) return "students.defaults.model";
  return scope.toStdString();
}

QString RunWizard::effectiveText(const Field& f) const {
  if (f.scope.endsWith(QLatin1String(".model"))) {
    const std::string path = sectionPath(f.scope);
    if (f.key == "preset") return fromStd(m_doc->text(path + ".preset").value_or(""));
    try {
      const recipe::ModelOptions m = resolveModel(m_doc->find(path));
      const YAML::Node values = YAML::Load(m.toYaml());
      return fromStd(values[f.key].Scalar());
    } catch (const std::exception&) {
      return fromStd(m_doc->text(path + "." + f.key).value_or(f.info.defaultValue));
    }
  }
  const std::string section = sectionPath(f.scope);
  const std::string path = section.empty() ? f.key : section + "." + f.key;
  if (auto v = m_doc->text(path)) return fromStd(*v);
  // A student's trainer key not set in its entry comes from students.defaults.
  const bool placementKey = f.key == "workers" || f.key == "group" || f.key == "nodes" || f.key == "master_addr" ||
                            f.key == "name";
  if (f.scope == QLatin1String("student") && !placementKey)
    if (auto v = m_doc->text("students.defaults." + f.key)) return fromStd(*v);
  return fromStd(f.info.defaultValue);
}

void RunWizard::setEditorText(Field& f, const QString& text) {
  if (auto* edit = qobject_cast<QLineEdit*>(f.editor)) {
    if (edit->text() != text) edit->setText(text);
  } else if (auto* combo = qobject_cast<QComboBox*>(f.editor)) {
    int i = combo->findData(text);
    if (i < 0) {  // a value the range does not have: shown, and the parser names it
      combo->addItem(text, text);
      i = combo->count() - 1;
    }
    combo->setCurrentIndex(i);
  } else if (auto* box = qobject_cast<QCheckBox*>(f.editor)) {
    box->setChecked(text == QLatin1String("true"));
  }
}

QString RunWizard::editorText(const Field& f) const {
  if (auto* edit = qobject_cast<QLineEdit*>(f.editor)) return edit->text().trimmed();
  if (auto* combo = qobject_cast<QComboBox*>(f.editor)) return combo->currentData().toString();
  if (auto* box = qobject_cast<QCheckBox*>(f.editor)) return box->isChecked() ? QStringLiteral("true") : QStringLiteral("false");
  return {};
}

void RunWizard::loadFields() {
  m_loading = true;
  updateStudentSelectors();
  for (auto& f : m_fields) {
    f->error->clear();
    setEditorText(*f, effectiveText(*f));
  }
  loadDatasets();
  loadDistribution();
  const bool teacher = m_doc->has("teacher");
  const bool students = m_kind == Kind::Student || m_kind == Kind::Full;
  m_teacherModelBox->setVisible(teacher);
  m_studentModelBox->setVisible(students);
  m_trainingTabs->setTabVisible(0, teacher);
  m_trainingTabs->setTabVisible(1, students);
  m_trainingTabs->setTabVisible(2, m_kind != Kind::Teacher);
  m_unlabeled->parentWidget()->setVisible(m_kind != Kind::Teacher);
  m_loading = false;
  updateEstimates();
}

void RunWizard::onFieldEdited(Field& f) {
  if (m_loading) return;
  storeField(f);
  updateEstimates();
  refreshReview();
  bool ok = true;
  showErrors(false, ReviewPageId, &ok);
}

void RunWizard::storeField(Field& f) {
  f.localError.clear();
  if (f.scope.endsWith(QLatin1String(".model"))) {
    storeModel(f.scope);
    if (f.key == "preset") {  // the preset's shape into the other fields
      m_loading = true;
      for (auto& g : m_fields)
        if (g->scope == f.scope && g->key != "preset") setEditorText(*g, effectiveText(*g));
      m_loading = false;
    }
    return;
  }
  const std::string section = sectionPath(f.scope);
  const std::string path = section.empty() ? f.key : section + "." + f.key;
  const QString text = editorText(f);
  if (text.isEmpty()) {
    m_doc->remove(path);
    return;
  }
  try {
    m_doc->setText(path, text.toStdString());
  } catch (const std::exception&) {
    f.localError = tr("'%1' is not a value (a number, a word, or a list like [a, b]).").arg(text);
  }
}

// The model section rewritten from the form: the preset, then every key whose
// value differs from the preset's (or the defaults'), num_units as it was.
void RunWizard::storeModel(const QString& scope) {
  const std::string path = sectionPath(scope);
  const YAML::Node old = YAML::Clone(m_doc->find(path));
  YAML::Node model(YAML::NodeType::Map);
  model.SetStyle(YAML::EmitterStyle::Flow);
  recipe::ModelOptions base;
  QString preset;
  for (auto& f : m_fields)
    if (f->scope == scope && f->key == "preset") preset = editorText(*f);
  if (!preset.isEmpty()) {
    model["preset"] = preset.toStdString();
    try {
      base = recipe::ModelOptions::preset(preset.toStdString());
    } catch (const std::exception&) {
    }
  }
  const YAML::Node baseValues = YAML::Load(base.toYaml());
  for (auto& f : m_fields) {
    if (f->scope != scope || f->key == "preset") continue;
    f->localError.clear();
    const QString text = editorText(*f);
    if (text.isEmpty() || text.toStdString() == baseValues[f->key].Scalar()) continue;
    try {
      model[f->key] = YAML::Load(text.toStdString());
    } catch (const std::exception&) {
      f->localError = tr("'%1' is not a value (a number or a word).").arg(text);
    }
  }
  if (old && old.IsMap() && old["num_units"]) model["num_units"] = old["num_units"];
  if (model.size() == 0)
    m_doc->remove(path);
  else
    m_doc->set(path, model);
}

void RunWizard::loadDatasets() {
  m_synth->setChecked(m_doc->has("corpus.synth"));
  m_synthProfile->setCurrentText(fromStd(m_doc->text("corpus.synth.profile").value_or("tiny")));
  auto fill = [this](QListWidget* list, const QString& dbKind, const std::vector<std::string>& synthNames,
                     const std::string& path) {
    list->clear();
    const std::vector<std::string> chosen = m_doc->list(path);
    QStringList names;
    auto add = [&](const QString& name, const QString& text) {
      if (names.contains(name)) return;
      names << name;
      auto* item = new QListWidgetItem(text, list);
      item->setData(Qt::UserRole, name);
      item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
      item->setCheckState(std::find(chosen.begin(), chosen.end(), name.toStdString()) != chosen.end() ? Qt::Checked
                                                                                                      : Qt::Unchecked);
    };
    for (const auto& d : m_datasets)
      if (d.kind == dbKind)
        add(d.name, tr("%1 — %2 utt., %3 h")
                        .arg(d.name, QLocale().toString(d.utterances), QLocale().toString(d.hours, 'f', 2)));
    if (m_synth->isChecked())
      for (const auto& n : synthNames) add(fromStd(n), tr("%1 — made by the recipe (corpus synth)").arg(fromStd(n)));
    for (const auto& n : chosen) add(fromStd(n), tr("%1 — not in this workspace yet").arg(fromStd(n)));
  };
  fill(m_labeled, QStringLiteral("labeled"), {std::begin(kSynthLabeled), std::end(kSynthLabeled)}, "datasets.labeled");
  fill(m_unlabeled, QStringLiteral("unlabeled"), {std::begin(kSynthUnlabeled), std::end(kSynthUnlabeled)},
       "datasets.unlabeled");
  fill(m_tests, QStringLiteral("test"), {std::begin(kSynthTests), std::end(kSynthTests)}, "datasets.tests");
}

void RunWizard::storeDatasets() {
  if (m_synth->isChecked()) {
    if (!m_doc->has("corpus.synth")) m_doc->setText("corpus.synth", "{profile: tiny, seed: 1}");
    m_doc->set("corpus.synth.profile", YAML::Node(m_synthProfile->currentText().toStdString()));
  } else if (m_doc->has("corpus.synth")) {
    m_doc->remove("corpus.synth");
    if (m_doc->find("corpus").size() == 0) m_doc->remove("corpus");
  }
  auto store = [this](QListWidget* list, const std::string& path, bool keepEmpty) {
    std::vector<std::string> names;
    for (int i = 0; i < list->count(); ++i)
      if (list->item(i)->checkState() == Qt::Checked) names.push_back(list->item(i)->data(Qt::UserRole).toString().toStdString());
    if (names.empty() && !keepEmpty)
      m_doc->remove(path);
    else
      m_doc->setList(path, names);
  };
  store(m_labeled, "datasets.labeled", false);
  store(m_unlabeled, "datasets.unlabeled", false);
  store(m_tests, "datasets.tests", false);
  // Newly offered synthetic sets appear (or go) with the checkbox.
  m_loading = true;
  loadDatasets();
  m_loading = false;
  refreshReview();
  bool ok = true;
  showErrors(false, ReviewPageId, &ok);
}

void RunWizard::loadDistribution() {
  const std::string entry = sectionPath(QStringLiteral("student"));
  const std::vector<std::string> chosen = m_doc->list(entry + ".nodes");
  m_nodeList->clear();
  QStringList names = m_nodes;
  for (const auto& n : chosen)
    if (!names.contains(fromStd(n))) names << fromStd(n);
  for (const QString& n : names) {
    auto* item = new QListWidgetItem(m_nodes.contains(n) ? n : tr("%1 — not registered here").arg(n), m_nodeList);
    item->setData(Qt::UserRole, n);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
    item->setCheckState(std::find(chosen.begin(), chosen.end(), n.toStdString()) != chosen.end() ? Qt::Checked
                                                                                                : Qt::Unchecked);
  }
  (chosen.empty() ? m_local : m_onNodes)->setChecked(true);
  m_nodeList->setEnabled(!chosen.empty());
}

void RunWizard::storeDistribution() {
  const std::string entry = sectionPath(QStringLiteral("student"));
  m_nodeList->setEnabled(m_onNodes->isChecked());
  std::vector<std::string> names;
  if (m_onNodes->isChecked())
    for (int i = 0; i < m_nodeList->count(); ++i)
      if (m_nodeList->item(i)->checkState() == Qt::Checked)
        names.push_back(m_nodeList->item(i)->data(Qt::UserRole).toString().toStdString());
  if (names.empty()) {
    m_doc->remove(entry + ".nodes");
    if (!m_onNodes->isChecked()) m_doc->remove(entry + ".master_addr");
  } else {
    m_doc->setList(entry + ".nodes", names);
  }
  if (!m_onNodes->isChecked()) {
    m_loading = true;
    for (auto& f : m_fields)
      if (f->scope == QLatin1String("student") && f->key == "master_addr") setEditorText(*f, QString());
    m_loading = false;
  }
  updateEstimates();
  refreshReview();
  bool ok = true;
  showErrors(false, ReviewPageId, &ok);
}

void RunWizard::updateStudentSelectors() {
  const YAML::Node models = m_doc->find("students.models");
  QStringList names;
  for (std::size_t i = 0; models && models.IsSequence() && i < models.size(); ++i)
    names << fromStd(m_doc->text("students.models[" + std::to_string(i) + "].name").value_or("?"));
  for (QComboBox* c : m_studentSelectors) {
    const bool was = c->blockSignals(true);
    c->clear();
    c->addItems(names);
    c->setCurrentIndex(std::min<int>(m_student, names.size() - 1));
    c->blockSignals(was);
    c->setEnabled(names.size() > 1);
    disconnect(c, nullptr, this, nullptr);
    connect(c, qOverload<int>(&QComboBox::currentIndexChanged), this, [this](int i) { selectStudent(i); });
  }
}

void RunWizard::selectStudent(int index) {
  if (index < 0 || index == m_student) return;
  m_student = index;
  loadFields();
}

void RunWizard::updateEstimates() {
  auto countText = [this](const YAML::Node& model) -> QString {
    try {
      recipe::ModelOptions m = resolveModel(model);
      if (m_units > 0) {
        m.numUnits = m_units;
        return tr("%1 parameters (%2 output units, from this workspace's unit inventory)")
            .arg(QLocale().toString(static_cast<qlonglong>(m.closedFormParameterCount())))
            .arg(m_units);
      }
      m.numUnits = 0;
      const auto body = m.closedFormParameterCount();
      m.numUnits = 1;
      const auto perUnit = m.closedFormParameterCount() - body;
      return tr("%1 parameters plus %2 per output unit (the units come from the targets; this workspace has none yet)")
          .arg(QLocale().toString(static_cast<qlonglong>(body)), QLocale().toString(static_cast<qlonglong>(perUnit)));
    } catch (const Error& e) {
      return tr("No parameter count: %1").arg(fromStd(e.what_()));
    } catch (const std::exception& e) {
      return tr("No parameter count: %1").arg(QString::fromUtf8(e.what()));
    }
  };
  m_teacherParams->setText(countText(m_doc->find("teacher.model")));
  const std::string entry = sectionPath(QStringLiteral("student"));
  const YAML::Node studentModel = m_doc->has(entry + ".model") ? m_doc->find(entry + ".model") : m_doc->find("students.defaults.model");
  m_studentParams->setText(countText(studentModel));

  // Bytes per step for the selected student.
  auto value = [&](const std::string& key, const std::string& fallback) {
    if (auto v = m_doc->text(entry + "." + key)) return *v;
    if (key != "workers")
      if (auto v = m_doc->text("students.defaults." + key)) return *v;
    return fallback;
  };
  QString text;
  try {
    const int workers = std::stoi(value("workers", "1"));
    const std::string algorithm = value("distribution.algorithm", "sync");
    const double fraction = std::stod(value("distribution.gtc.target_fraction", "0.01"));
    const int block = std::stoi(value("distribution.bmuf.block_steps", "50"));
    recipe::ModelOptions m = resolveModel(studentModel);
    m.numUnits = m_units;
    const auto params = m.closedFormParameterCount();
    const auto bytes = bytesPerStep(algorithm, workers, params, fraction, block);
    const QString units = m_units > 0 ? QString() : tr(" (without the output layer: no unit inventory yet)");
    if (workers <= 1)
      text = tr("One process: nothing is sent between ranks.");
    else if (!bytes)
      text = tr("%1 with %2 workers: what GTC sends depends on the gradients when target_fraction is 0 (a fixed threshold).")
                 .arg(fromStd(algorithm))
                 .arg(workers);
    else
      text = tr("About %1 bytes (%2 MB) sent per rank and step: %3 with %4 workers, %5 parameters%6.")
                 .arg(QLocale().toString(*bytes, 'f', 0), QLocale().toString(*bytes / 1e6, 'f', 4), fromStd(algorithm))
                 .arg(workers)
                 .arg(QLocale().toString(static_cast<qlonglong>(params)))
                 .arg(units);
  } catch (const std::exception&) {
    text = tr("No estimate until workers, the algorithm and its parameters are numbers in range.");
  }
  m_bytes->setText(text);
}

QString RunWizard::parameterText(const QString& scope) const {
  return scope == QLatin1String("teacher.model") ? m_teacherParams->text() : m_studentParams->text();
}

QString RunWizard::bytesText() const { return m_bytes->text(); }

QString RunWizard::recipeYaml() const { return fromStd(m_doc->toYaml()); }

QString RunWizard::recipePath() const {
  if (!m_recipePath.isEmpty()) return m_recipePath;
  const QString name = fromStd(m_doc->text("name").value_or("recipe"));
  return QDir(m_workspace).filePath(QStringLiteral("recipes/%1.yaml").arg(name));
}

void RunWizard::setRecipePath(const QString& path) {
  m_recipePath = path;
  if (m_pathEdit) m_pathEdit->setText(path);
}

bool RunWizard::saveRecipe() {
  const QString path = recipePath();
  QDir().mkpath(QFileInfo(path).absolutePath());
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly) || file.write(recipeYaml().toUtf8()) < 0 || !file.commit()) {
    m_lastError = tr("%1: cannot save the recipe (%2). Choose another file.").arg(path, file.errorString());
    setError(m_pageErrors.value(QStringLiteral("page/5")), m_lastError);
    return false;
  }
  m_lastError.clear();
  setError(m_pageErrors.value(QStringLiteral("page/5")), QString());
  return true;
}

void RunWizard::refreshReview() {
  if (!m_preview) return;
  m_preview->setPlainText(recipeYaml());
  if (m_pathEdit && m_recipePath.isEmpty()) m_pathEdit->setText(recipePath());
}

int RunWizard::nextId() const {
  const int id = currentId();
  if (id == TrainingPageId && (m_kind == Kind::Teacher || m_kind == Kind::Labeling)) return ReviewPageId;
  return QWizard::nextId();
}

void RunWizard::accept() {
  if (!checkPages(ReviewPageId) || !saveRecipe()) return;
  emit launchRequested(recipePath());
  QWizard::accept();
}

// ---- checking -------------------------------------------------------------------------

bool RunWizard::parseDocument(QString* message, std::string* key) const {
  try {
    recipe::parseRecipe(m_doc->toYaml(), recipePath().toStdString());
    return true;
  } catch (const Error& e) {
    *message = fromStd(e.what_());
    if (!e.hintText().empty()) *message += QLatin1Char('\n') + tr("Hint: %1").arg(fromStd(e.hintText()));
    *key = e.keyName();
  } catch (const std::exception& e) {
    *message = QString::fromUtf8(e.what());
    key->clear();
  }
  return false;
}

RunWizard::Field* RunWizard::fieldForErrorKey(const std::string& key, int* page) {
  auto find = [this](const QString& scope, const std::string& k) -> Field* {
    for (auto& f : m_fields)
      if (f->scope == scope && f->key == k) return f.get();
    for (auto& f : m_fields)  // "streams" names the section: its first field
      if (f->scope == scope && f->key.rfind(k + ".", 0) == 0) return f.get();
    return nullptr;
  };
  Field* f = nullptr;
  std::string rest;
  int index = 0;
  if (key == "name") {
    f = find(QStringLiteral("recipe"), "name");
  } else if (key.rfind("teacher.", 0) == 0) {
    rest = key.substr(8);
    f = rest.rfind("model.", 0) == 0 ? find(QStringLiteral("teacher.model"), rest.substr(6)) : find(QStringLiteral("teacher"), rest);
    if (!f) *page = rest.rfind("model", 0) == 0 ? ModelPageId : TrainingPageId;
  } else if (studentKey(key, &index, &rest)) {
    if (rest.rfind("model.", 0) == 0) {
      f = find(QStringLiteral("students.model"), rest.substr(6));
    } else {
      if (index == m_student) f = find(QStringLiteral("student"), rest);
      if (!f) f = find(QStringLiteral("students.defaults"), rest);
      if (!f && index == m_student && rest == "nodes") *page = DistributionPageId;
    }
    if (!f && *page < 0) *page = TrainingPageId;
  } else if (key.rfind("labeling.", 0) == 0) {
    f = find(QStringLiteral("labeling"), key.substr(9));
  } else if (key.rfind("datasets", 0) == 0 || key.rfind("corpus", 0) == 0 || key.rfind("units", 0) == 0) {
    *page = DatasetsPageId;
  } else if (key.rfind("students", 0) == 0) {
    *page = TrainingPageId;
  }
  if (f) *page = f->page;
  if (*page < 0) *page = ReviewPageId;
  return f;
}

void RunWizard::clearErrors() {
  for (auto& f : m_fields) setError(f->error, f->localError);
  for (QLabel* l : m_pageErrors) setError(l, QString());
}

void RunWizard::showErrors(bool block, int upToPage, bool* ok) {
  clearErrors();
  *ok = true;
  // A value that is not YAML at all never reached the document.
  for (auto& f : m_fields)
    if (!f->localError.isEmpty() && f->page <= upToPage) {
      *ok = false;
      if (block) {
        if (f->tab >= 0) m_trainingTabs->setCurrentIndex(f->tab);
        f->editor->setFocus();
      }
      return;
    }
  QString message;
  std::string key;
  if (parseDocument(&message, &key)) {
    // The parser lets a teacher go without unlabeled data; a labeling
    // experiment would then label nothing.
    if (m_kind != Kind::Labeling || !m_doc->list("datasets.unlabeled").empty()) return;
    message = tr("A labeling experiment needs unlabeled data: choose at least one set the teacher labels.");
    key = "datasets.unlabeled";
  }
  // "trains on soft labels but datasets.unlabeled is empty" is keyed at the
  // student's streams, but the datasets page is where it is fixed.
  if (message.contains(QLatin1String("datasets.unlabeled is empty"))) key = "datasets.unlabeled";
  int page = -1;
  if (Field* f = fieldForErrorKey(key, &page)) {
    setError(f->error, message);
    if (block && f->page <= upToPage) {
      if (f->tab >= 0) m_trainingTabs->setCurrentIndex(f->tab);
      f->editor->setFocus();
    }
  } else {
    QLabel* label = m_pageErrors.value(QStringLiteral("page/%1").arg(page));
    if (page == DatasetsPageId) {
      if (key == "datasets.labeled") label = m_pageErrors.value(QStringLiteral("datasets/labeled"));
      if (key == "datasets.unlabeled") label = m_pageErrors.value(QStringLiteral("datasets/unlabeled"));
      if (key == "datasets.tests") label = m_pageErrors.value(QStringLiteral("datasets/tests"));
    }
    if (page == DistributionPageId && key.size() >= 5 && key.substr(key.size() - 5) == "nodes")
      label = m_pageErrors.value(QStringLiteral("student/nodes"));
    // A mistake on a page the current kind skips is shown on the next one shown.
    if ((m_kind == Kind::Teacher || m_kind == Kind::Labeling) && page == DistributionPageId) {
      page = ReviewPageId;
      label = m_pageErrors.value(QStringLiteral("page/5"));
    }
    setError(label, message);
  }
  if (page <= upToPage) *ok = false;
}

bool RunWizard::checkPages(int pageId) {
  bool ok = true;
  showErrors(true, pageId, &ok);
  return ok;
}

QString RunWizard::fieldError(const QString& field) const {
  for (const auto& f : m_fields)
    if (f->name == field) return f->error->isVisible() || !f->error->text().isEmpty() ? f->error->text() : QString();
  if (QLabel* l = m_pageErrors.value(field)) return l->text();
  return {};
}

}  // namespace understudy::ui
