// Baum–Welch for a machine's health model from its condition signal: a left-to-right hidden
// Markov chain over K health states (0 = as new, K-1 = failed) observed through a Gaussian
// signal whose mean grows linearly with the state (base + slope * state, one sd), the line
// twin's "markov" health with "signals" (twins/line/health.hpp).
//
// Data: lives. Each life starts as new (a repair or a maintenance renews the machine), is a
// sequence of signal samples one step apart, and ends either in a failure (the chain entered
// K-1 during the step after its last sample) or censored (the log ended, or the machine was
// maintained, while it still ran). The step is one sampling interval of operating time.
// EM (Rabiner 1989; Baum et al. 1970) with scaled forward-backward passes; the M-step keeps the
// chain left-to-right (no jump back: zeros stay zero) and fits base, slope and sd by weighted
// least squares over the posterior state weights. Converted to the model's per-hour form as the
// model reads a matrix (health.hpp): the stay probability over one hour exp(ln A_ii / step_h)
// and the jump probabilities A_ij / (1 - A_ii).
#pragma once

#include <cstddef>
#include <vector>

namespace dtwin {

struct HmmLife {
  std::vector<double> y;  // the signal, one sample per step
  bool failed = false;    // ended in a failure (else censored)
};

struct HmmFit {
  std::size_t k = 0;                   // states, the last the failed one
  std::vector<std::vector<double>> a;  // per step, k x k
  double base = 0, slope = 0, sd = 1;
  double loglik = 0;
  int iterations = 0;
  bool converged = false;
  // the chain per hour of operating time when a step is step_h hours
  std::vector<std::vector<double>> per_hour(double step_h) const;
};

// A starting point from the data alone: each running state stays with probability `stay` and
// otherwise moves on (80 % of the moves to the next state, the rest spread over the later ones:
// a jump EM starts at zero stays at zero), the signal's base and
// slope from its 5th and 95th percentiles over the k - 1 running states, its sd a tenth of that
// span.
HmmFit hmm_start(const std::vector<HmmLife>& lives, std::size_t k, double stay = 0.9);

// From a starting point (its a, base, slope, sd; k = a.size()), at most max_iter iterations
// until the log-likelihood gains less than tol. Throws std::invalid_argument on empty data.
HmmFit fit_hmm(const std::vector<HmmLife>& lives, HmmFit start, int max_iter = 200,
               double tol = 1e-6);

// EM finds a local maximum: from the starts given (the scenario's own model, say) and from the
// data alone with stays 0.8, 0.9, 0.95 and 0.98, the fit of the highest likelihood.
HmmFit fit_hmm_best(const std::vector<HmmLife>& lives, std::size_t k,
                    const std::vector<HmmFit>& starts = {}, int max_iter = 500, double tol = 1e-9);

}  // namespace dtwin
