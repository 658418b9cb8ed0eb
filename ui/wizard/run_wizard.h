// The run wizard: a QWizard that writes the recipe YAML `understudy-cli run`
// runs (docs/recipes.md) and asks for it to be launched (docs/gui.md "Run
// wizard"). Pages: kind of experiment, datasets (from the workspace's
// database, read-only), model (preset or custom, live parameter count),
// training, distribution (with bytes per step), review (YAML, save, launch).
//
// The forms are built from the config field tables (core/recipe: key,
// default, range, help as the tooltip); every page is checked by parsing the
// YAML it would write with the CLI's own parser (recipe::parseRecipe), and a
// mistake is shown at its field. The state is the recipe document itself, so
// Back and Next keep it, and a saved recipe opens again with loadRecipe().
//
//   auto* wizard = new RunWizard(workspacePath, this);
//   connect(wizard, &RunWizard::launchRequested, jobs, &JobController::launchRecipe);
//   wizard->loadRecipe(path);   // optional: edit an existing recipe
//   wizard->show();
#pragma once

#include <QHash>
#include <QString>
#include <QStringList>
#include <QWizard>
#include <memory>
#include <string>
#include <vector>

#include "core/recipe/field_table.h"

class QButtonGroup;
class QCheckBox;
class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QRadioButton;
class QTabWidget;
class QWidget;

namespace understudy::ui {

class RecipeDocument;
class WizardPage;

class RunWizard : public QWizard {
  Q_OBJECT

 public:
  enum PageId { KindPageId, DatasetsPageId, ModelPageId, TrainingPageId, DistributionPageId, ReviewPageId };
  enum class Kind { Teacher, Labeling, Student, Full };

  // Reads the workspace's datasets, unit inventory and nodes (read-only).
  explicit RunWizard(const QString& workspacePath, QWidget* parent = nullptr);
  ~RunWizard() override;

  // Opens a recipe file into the forms. False (and lastError()) when it
  // cannot be read or is not YAML; a recipe the parser refuses still opens,
  // with its mistake shown at its field.
  bool loadRecipe(const QString& path);
  bool loadRecipeText(const QString& yaml, const QString& fileName = QString());

  Kind kind() const { return m_kind; }
  void setKind(Kind kind);  // as choosing it on the first page
  QString recipeYaml() const;  // what saveRecipe() writes
  QString recipePath() const;
  void setRecipePath(const QString& path);
  // Writes recipeYaml() to recipePath() (folders made). False + lastError().
  bool saveRecipe();
  QString lastError() const { return m_lastError; }

  // The message shown at a form field ("" = none). Fields are named
  // "<scope>/<key>": teacher/optimizer.lr, students.defaults/optimizer.lr,
  // student/streams.ratio (the selected student entry), labeling/top_k,
  // teacher.model/layers, students.model/cells; page-level messages are
  // "page/<id>".
  QString fieldError(const QString& field) const;
  // The parameter count and bytes-per-step texts as shown.
  QString parameterText(const QString& scope) const;  // "teacher.model" | "students.model"
  QString bytesText() const;

  // Checks the recipe as the pages up to `pageId` have it; shows the first
  // mistake at its field. True when nothing on those pages is wrong.
  bool checkPages(int pageId);

  // Finish: checks, saves, then emits launchRequested (false: stays open).
  void accept() override;

 signals:
  void launchRequested(const QString& recipePath);

 protected:
  int nextId() const override;

 private:
  struct Field {
    QString name;   // objectName of the editor: scope/key
    QString scope;  // teacher | students.defaults | student | labeling | teacher.model | students.model
    std::string key;
    recipe::KeyInfo info;
    QWidget* editor = nullptr;
    QLabel* error = nullptr;
    int page = 0;
    int tab = -1;  // training page tab, -1 = none
    QString localError;  // text that is not a YAML value (never reached the document)
  };

  void buildKindPage();
  void buildDatasetsPage();
  void buildModelPage();
  void buildTrainingPage();
  void buildDistributionPage();
  void buildReviewPage();
  void readWorkspace();

  // A form row for `key` of `table` bound to `scope`.
  Field& addField(QFormLayout* form, const std::vector<recipe::KeyInfo>& table, const std::string& key,
                  const QString& scope, int page, int tab = -1);
  QWidget* makeEditor(const recipe::KeyInfo& info);
  void setEditorText(Field& f, const QString& text);
  QString editorText(const Field& f) const;

  // Where a scope's keys live in the document.
  std::string sectionPath(const QString& scope) const;
  QString effectiveText(const Field& f) const;
  void loadFields();
  void storeField(Field& f);
  void storeModel(const QString& scope);
  void loadDatasets();
  void storeDatasets();
  void loadDistribution();
  void storeDistribution();
  void applyKindTemplate(Kind kind);
  Kind kindOfDocument() const;
  void updateEstimates();
  void updateStudentSelectors();
  void selectStudent(int index);
  void refreshReview();
  // Parses the document; "" and key "" when the parser accepts it.
  bool parseDocument(QString* message, std::string* key) const;
  Field* fieldForErrorKey(const std::string& key, int* page);
  void showErrors(bool block, int upToPage, bool* ok);
  void clearErrors();
  void onFieldEdited(Field& f);

  QString m_workspace;
  std::unique_ptr<RecipeDocument> m_doc;
  Kind m_kind = Kind::Full;
  int m_student = 0;  // students.models[m_student] is the "student" scope
  bool m_loading = false;
  QString m_lastError;
  QString m_recipePath;
  std::vector<std::unique_ptr<Field>> m_fields;
  QHash<QString, QLabel*> m_pageErrors;

  // The workspace, read once.
  struct DatasetRow {
    QString name, kind;
    qint64 utterances = 0;
    double hours = 0.0;
  };
  std::vector<DatasetRow> m_datasets;
  std::int64_t m_units = 0;  // newest unit inventory's size, 0 = none yet
  QStringList m_nodes;

  QButtonGroup* m_kindGroup = nullptr;
  QLineEdit* m_name = nullptr;
  QCheckBox* m_synth = nullptr;
  QComboBox* m_synthProfile = nullptr;
  QListWidget* m_labeled = nullptr;
  QListWidget* m_unlabeled = nullptr;
  QListWidget* m_tests = nullptr;
  QWidget* m_teacherModelBox = nullptr;
  QWidget* m_studentModelBox = nullptr;
  QLabel* m_teacherParams = nullptr;
  QLabel* m_studentParams = nullptr;
  QTabWidget* m_trainingTabs = nullptr;
  std::vector<QComboBox*> m_studentSelectors;
  QRadioButton* m_local = nullptr;
  QRadioButton* m_onNodes = nullptr;
  QListWidget* m_nodeList = nullptr;
  QLabel* m_bytes = nullptr;
  QLabel* m_distributionNote = nullptr;
  QPlainTextEdit* m_preview = nullptr;
  QLineEdit* m_pathEdit = nullptr;
};

}  // namespace understudy::ui
