#include "report/training_report.h"

#include <filesystem>
#include <fstream>

#include "report/svg_chart.h"
#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

namespace {

// Input(6) -> Dense(8) -> BatchNormalization -> ReLU -> Dense(3), compiled with SGD.
std::unique_ptr<Model> small_model() {
  clear_session();
  set_random_seed(3);
  auto inp = Input({6});
  auto x = ReLU()(BatchNormalization({.momentum = 0.9f})(Dense(8)(inp)));
  auto model = std::make_unique<Model>(inp, Dense(3, "softmax")(x), "small");
  model->compile("sgd", "sparse_categorical_crossentropy", {"accuracy"});
  return model;
}

struct Data {
  Tensor x = random_tensor({96, 6}, 11, 1.0f, 3.0f);  // mean 2: BatchNormalization has work to do
  Tensor y{Shape{96}};
  Data() {
    for (long i = 0; i < 96; ++i) y[i] = float(i % 3);
  }
};

// 2 epochs of 6 steps of 16, the hooks called as fit calls them; returns the final weights.
std::vector<Tensor> train(Model& model, const Data& d, TrainingReport* report) {
  if (report) report->set_context(model, {.epochs = 2, .steps = 6}), report->on_train_begin({});
  Tensor xb({16, 6}), yb(Shape{16});
  for (long epoch = 0, step = 0; epoch < 2; ++epoch) {
    Logs logs;
    for (long b = 0; b < 6; ++b, ++step) {
      std::copy_n(d.x.data() + b * 16 * 6, 16 * 6, xb.data());
      std::copy_n(d.y.data() + b * 16, 16, yb.data());
      logs = model.train_on_batch(xb, yb);
      if (report) report->on_train_batch_end(step, logs);
    }
    if (report) report->on_epoch_end(epoch, logs);
  }
  if (report) report->on_train_end({});
  return model.get_weights();
}

long count(const std::string& text, const std::string& what) {
  long n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("A training report changes no weight: training with it is bit-identical to training without", "[report]") {
  const Data d;
  auto plain = small_model();
  const std::vector<Tensor> expected = train(*plain, d, nullptr);
  auto watched = small_model();
  const std::string path = (std::filesystem::temp_directory_path() / "minnow_report_test" / "same.html").string();
  TrainingReport report(*watched, {.path = path, .probe_x = &d.x, .probe_y = &d.y, .every = 2});
  const std::vector<Tensor> got = train(*watched, d, &report);
  REQUIRE(got.size() == expected.size());
  for (size_t i = 0; i < got.size(); ++i)
    CHECK(std::equal(got[i].data(), got[i].data() + got[i].size(), expected[i].data()));
  CHECK(std::filesystem::exists(path));
}

TEST_CASE("The report samples every K steps, and its BatchNormalization numbers are the layer's own", "[report]") {
  const Data d;
  auto model = small_model();
  const std::string path = (std::filesystem::temp_directory_path() / "minnow_report_test" / "numbers.html").string();
  TrainingReport report(*model, {.path = path, .probe_x = &d.x, .probe_y = &d.y, .every = 4, .snapshots = 3});
  train(*model, d, &report);
  // Steps 0 (before training), 4, 8, 12 (every 4) and the snapshot at 6 (12 * 1 / 2).
  std::vector<long> steps;
  for (const ReportSample& s : report.samples()) steps.push_back(s.step);
  CHECK(steps == std::vector<long>{0, 4, 6, 8, 12});
  // The last sample follows the last step: its moving statistics are the layer's weights now.
  const ReportSample& last = report.samples().back();
  REQUIRE(last.batch_norms.size() == 1);
  const Layer& bn = model->get_layer("batch_normalization");
  for (long c = 0; c < 6; ++c) {
    CHECK(last.batch_norms[0].moving_mean[size_t(c)] == std::as_const(bn).weights()[2]->value.values()[size_t(c)]);
    CHECK(last.batch_norms[0].moving_variance[size_t(c)] == std::as_const(bn).weights()[3]->value.values()[size_t(c)]);
  }
  // Its batch statistics: the probe batch through dense, by hand (population variance, in double).
  const Tensor h = model->get_layer("dense").output();
  for (long c = 0; c < 6; ++c) {
    double sum = 0, square = 0;
    for (long i = 0; i < 96; ++i) sum += h[i * 8 + c], square += double(h[i * 8 + c]) * h[i * 8 + c];
    CHECK(last.batch_norms[0].batch_mean[size_t(c)] == Approx(sum / 96).margin(1e-9));
    CHECK(last.batch_norms[0].batch_variance[size_t(c)] == Approx(square / 96 - (sum / 96) * (sum / 96)).margin(1e-6));
  }
  // A snapshot: the outputs of dense, batch_normalization, re_lu and dense_1, and the 6 trainable
  // weights (two kernels, two biases, gamma and beta).
  CHECK(report.samples()[2].histograms.size() == 10);
  CHECK(report.samples()[1].histograms.empty());
}

TEST_CASE("The report page holds every section and the charts it promises", "[report]") {
  const Data d;
  auto model = small_model();
  const std::string path = (std::filesystem::temp_directory_path() / "minnow_report_test" / "page.html").string();
  TrainingReport report(*model, {.path = path, .probe_x = &d.x, .probe_y = &d.y, .every = 4, .snapshots = 3});
  train(*model, d, &report);
  const std::string page = file_text(path);
  CHECK(page == report.html());
  for (const char* id : {"model", "curves", "layers", "batchnorm", "histograms"})
    CHECK(count(page, fmt::format("<section id=\"{}\"", id)) == 1);
  // Charts: loss and accuracy per epoch and per step, the learning rate (5); per layer 3 and one
  // per weight (5 layers, 8 weights: 23); BatchNormalization's mean and variance (2); 3 snapshots
  // of 10 histograms (30).
  CHECK(count(page, "<svg class=\"chart") == 60);
  CHECK(count(page, "<circle class=\"point\"") > 200);
  CHECK(page.find("12 updates seen (training steps); the window 1 / 0.1 = 10 steps.") != std::string::npos);
  CHECK(page.find("Total params: 115") != std::string::npos);  // the summary: 6*8+8 + 4*8 + 8*3+3
  CHECK(page.find("http") == page.find("http://www.w3.org"));  // nothing fetched: only SVG's namespace
  CHECK(page.find("<script src") == std::string::npos);
}

TEST_CASE("fit writes the report as one of its callbacks, the same page as the hooks called by hand", "[report]") {
  const Data d;
  auto by_hand = small_model();
  const auto dir = std::filesystem::temp_directory_path() / "minnow_report_test";
  TrainingReport hand(*by_hand, {.path = (dir / "hand.html").string(), .probe_x = &d.x, .probe_y = &d.y, .every = 4});
  const std::vector<Tensor> expected = train(*by_hand, d, &hand);
  auto fitted = small_model();
  TrainingReport report(*fitted, {.path = (dir / "fit.html").string(), .probe_x = &d.x, .probe_y = &d.y, .every = 4});
  std::ostringstream warnings;  // fit's: too few steps for the moving statistics
  FitOptions opt{.epochs = 2, .batch_size = 16, .shuffle = false, .verbose = 0, .out = &warnings};  // train()'s steps
  opt.callbacks = {&report};
  fitted->fit(d.x, d.y, opt);
  const std::vector<Tensor> got = fitted->get_weights();
  for (size_t i = 0; i < got.size(); ++i)
    CHECK(std::equal(got[i].data(), got[i].data() + got[i].size(), expected[i].data()));
  REQUIRE(report.samples().size() == hand.samples().size());
  CHECK(report.samples().back().step == 12);
  CHECK(file_text((dir / "fit.html").string()).find("Total params: 115") != std::string::npos);
  // A report belongs to one model: fit on another is refused before training.
  auto other = small_model();
  require_throws_unchanged<UsageError>(*other, [&] { other->fit(d.x, d.y, opt); },
                                       {"TrainingReport", "reports on model 'small", "fit trains model 'small"});
}

TEST_CASE("The report's options are checked", "[report]") {
  const Data d;
  auto model = small_model();
  require_throws<UsageError>([&] { TrainingReport r(*model, {}); }, {"TrainingReport", "probe_x"});
  require_throws<UsageError>([&] { TrainingReport r(*model, {.probe_x = &d.x, .probe_y = &d.y, .every = -1}); },
                             {"TrainingReport", "every (-1)"});
}

TEST_CASE("nice_ticks picks round values: 1, 2 or 5 times a power of ten", "[report]") {
  CHECK(nice_ticks(0, 10, 5) == std::vector<double>{0, 2, 4, 6, 8, 10});
  CHECK(nice_ticks(0.013, 0.048, 4) == std::vector<double>{0.02, 0.03, 0.04});
  CHECK(nice_ticks(-3, 7, 2) == std::vector<double>{0, 5});
  CHECK(nice_ticks(1, 1, 4).empty());
}

TEST_CASE("Names with HTML's reserved characters are escaped in the page, also inside attributes", "[report]") {
  CHECK(html_escape(R"(a<b>&"c")") == "a&lt;b&gt;&amp;&quot;c&quot;");
  clear_session();
  const Data d;
  auto inp = Input({6});
  Model model(inp, Dense(DenseOptions{.units = 3, .activation = "softmax", .name = R"(out"<x>)"})(inp), "m&m");
  model.compile("sgd", "sparse_categorical_crossentropy");
  const std::string path = (std::filesystem::temp_directory_path() / "minnow_report_test" / "names.html").string();
  TrainingReport report(model, {.path = path, .probe_x = &d.x, .probe_y = &d.y});
  report.set_context(model, {.epochs = 1, .steps = 1});
  report.on_train_begin({});
  report.on_train_end({});
  const std::string page = file_text(path);
  CHECK(page.find(R"(data-layer="out&quot;&lt;x&gt;")") != std::string::npos);
  CHECK(page.find("<title>Training report: m&amp;m</title>") != std::string::npos);
  CHECK(page.find(R"(out"<x>)") == std::string::npos);  // never raw
}
