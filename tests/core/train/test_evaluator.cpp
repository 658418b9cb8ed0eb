// The evaluator's breakdown groups from utterance metadata: the synthetic
// corpus' fields give clean / noise type / SNR band / voice; imported data
// (no "noise" field) gives none, so it is reported overall only.
#include <QtTest>

#include <string>
#include <vector>

#include "core/train/evaluator.h"

using understudy::train::evaluationGroups;
using Groups = std::vector<std::string>;

class TestEvaluator : public QObject {
  Q_OBJECT

 private slots:
  void testCleanSyntheticUtteranceIsCleanAndItsVoice() {
    QCOMPARE(evaluationGroups(R"({"voice":"en-us","noise":"none","snr_db":null,"synthetic":true})"),
             (Groups{"clean", "voice/en-us"}));
  }

  void testNoisyUtteranceHasNoiseTypeSnrBandAndVoice() {
    QCOMPARE(evaluationGroups(R"({"voice":"gmw/en","noise":"babble","snr_db":4.99})"),
             (Groups{"noise/babble", "snr/0-5", "voice/gmw/en"}));
    // A band's lower edge belongs to it.
    QCOMPARE(evaluationGroups(R"({"voice":"en-029","noise":"hum","snr_db":5.0})"),
             (Groups{"noise/hum", "snr/5-10", "voice/en-029"}));
    QCOMPARE(evaluationGroups(R"({"voice":"en-029","noise":"pink","snr_db":10.0})")[1], std::string("snr/10-20"));
    QCOMPARE(evaluationGroups(R"({"voice":"en-029","noise":"white","snr_db":20.0})")[1], std::string("snr/20+"));
  }

  void testImportedMetadataGivesNoGroups() {
    QVERIFY(evaluationGroups("{}").empty());
    QVERIFY(evaluationGroups(R"({"channels":"first","speaker_gender":"f"})").empty());
    QVERIFY(evaluationGroups("not json").empty());
  }
};

QTEST_GUILESS_MAIN(TestEvaluator)
#include "test_evaluator.moc"
