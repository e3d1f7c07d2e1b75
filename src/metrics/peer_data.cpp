// SPDX-License-Identifier: MIT
// The built-in peer bands (issue 31, part 3) as the CSV a --peer-bands file holds, so that
// `cskpi bands --peers --format csv` writes exactly what is built in. Only figures read in a
// retrievable page are here, each row with that page's address; a figure a source shows only
// in a chart that the page's text does not give (ChartMogul's quartiles, its middle ARPA
// bands) is left out rather than read off a picture or guessed. docs/peers.md lists them.
#include "metrics/peers.hpp"

namespace cskpi {

namespace {

// SaaS Capital, "2023 B2B SaaS Retention Benchmarks" (Research Brief 28), Figure 1: median
// NRR and GRR by ACV, companies with $1M ARR or more. The figure's labels were read from a
// copy of the PDF's text (the first address); ChurnZero's summary (the second) confirms the
// ends (100 % under $12k, 110 % over $250k), the sample and the data year.
#define SAAS_CAPITAL_2023                                                                                              \
  "SaaS Capital 2023,2022,\"more than 1,500 private B2B SaaS companies answering SaaS Capital's 12th annual survey "   \
  "(Q1 2023, figures of the year to 31 December 2022); companies under $1M ARR excluded\","
#define SAAS_CAPITAL_URLS                                                                                              \
  "\"https://alexisfairbanks.com/acvs-in-a-multi-year-contract-1486 (text of SaaS Capital Research Brief 28, "         \
  "Figure 1); https://churnzero.com/blog/saas-customer-retention-benchmarks/; "                                        \
  "http://www.saas-capital.com/blog/essential-saas-metrics-revenue-retention-fundamentals/; "                          \
  "https://www.edocr.com/v/yol7ozkn/techcelerate/2019-saas-retention-benchmarks (the definitions)\""
#define SAAS_CAPITAL_NRR                                                                                               \
  "\"net revenue retention: MRR now from the customers of a year ago, divided by their MRR a year ago; includes "      \
  "up-sells, cross-sells and price increases\",\"a 12-month cohort: compared only with an exact annual figure of "     \
  "ours (yearly periods, or the trailing-12-month cohort of a snapshot input), never with one compounded from "        \
  "shorter periods; a median of survey answers; ACV in USD\","
#define SAAS_CAPITAL_GRR                                                                                               \
  "\"gross revenue retention: the net revenue retention formula without up-sells, cross-sells and price "              \
  "increases (each customer's MRR now capped at its MRR a year ago), so never over 100%\",\"a 12-month "               \
  "cohort: compared only with an exact annual figure of ours (yearly periods, or the trailing-12-month cohort of a "   \
  "snapshot input), never with one compounded from shorter periods; a median of survey answers; ACV in USD\","

// ChartMogul's churn benchmarks (Sid Jain): the median company's monthly customer churn by
// ARPA band ($0-10: 6.8 %, over $500: 1.9 %) and by MRR band (under $10k: 6.8 %, $10k-50k:
// 4.6 %). The page's text gives these four; the bands between and the 25th and 75th
// percentiles are in its charts only.
#define CHARTMOGUL                                                                                                     \
  "ChartMogul,not stated,\"anonymised, aggregated data of SaaS businesses using ChartMogul (their number and the "     \
  "period are not stated in the retrieved text; the author's TechCrunch piece on churn benchmarks is of "              \
  "2022-04-20)\",\"customer churn rate: customers who cancelled all their subscriptions in the month, divided by "     \
  "the customers at the start of the month (ChartMogul's standard B2B formula leaves out those who joined and "        \
  "churned, or churned and reactivated, in the month); the median company's monthly rate\","
#define CHARTMOGUL_CAVEAT                                                                                              \
  "monthly: compared only with our period figure of monthly periods (ours is L / N, churned starting customers "       \
  "over starting customers, the same ratio)"
#define CHARTMOGUL_URLS                                                                                                \
  "\"https://hackernoon.com/why-does-a-good-customer-churn-rate-matter; "                                              \
  "https://help.chartmogul.com/hc/en-us/articles/203359321-Chart-Customer-Churn-Rate\""

constexpr std::string_view k_builtin_csv =
    "metric,dimension,from,to,p25,median,p75,horizon,better,source,year,sample,definition,caveat,url\n"
    "nrr,acv,,12000,,100,,cohort_12m,higher," SAAS_CAPITAL_2023 SAAS_CAPITAL_NRR SAAS_CAPITAL_URLS "\n"
    "nrr,acv,12000,25000,,102,,cohort_12m,higher," SAAS_CAPITAL_2023 SAAS_CAPITAL_NRR SAAS_CAPITAL_URLS "\n"
    "nrr,acv,25000,50000,,103,,cohort_12m,higher," SAAS_CAPITAL_2023 SAAS_CAPITAL_NRR SAAS_CAPITAL_URLS "\n"
    "nrr,acv,50000,100000,,105,,cohort_12m,higher," SAAS_CAPITAL_2023 SAAS_CAPITAL_NRR SAAS_CAPITAL_URLS "\n"
    "nrr,acv,100000,250000,,107,,cohort_12m,higher," SAAS_CAPITAL_2023 SAAS_CAPITAL_NRR SAAS_CAPITAL_URLS "\n"
    "nrr,acv,250000,,,110,,cohort_12m,higher," SAAS_CAPITAL_2023 SAAS_CAPITAL_NRR SAAS_CAPITAL_URLS "\n"
    "grr,acv,,12000,,90,,cohort_12m,higher," SAAS_CAPITAL_2023 SAAS_CAPITAL_GRR SAAS_CAPITAL_URLS "\n"
    "grr,acv,12000,25000,,90,,cohort_12m,higher," SAAS_CAPITAL_2023 SAAS_CAPITAL_GRR SAAS_CAPITAL_URLS "\n"
    "grr,acv,25000,50000,,92,,cohort_12m,higher," SAAS_CAPITAL_2023 SAAS_CAPITAL_GRR SAAS_CAPITAL_URLS "\n"
    "grr,acv,50000,100000,,93,,cohort_12m,higher," SAAS_CAPITAL_2023 SAAS_CAPITAL_GRR SAAS_CAPITAL_URLS "\n"
    "grr,acv,100000,250000,,93,,cohort_12m,higher," SAAS_CAPITAL_2023 SAAS_CAPITAL_GRR SAAS_CAPITAL_URLS "\n"
    "grr,acv,250000,,,93,,cohort_12m,higher," SAAS_CAPITAL_2023 SAAS_CAPITAL_GRR SAAS_CAPITAL_URLS "\n"
    "logo_churn,arpa,0,10,,6.8,,month,lower," CHARTMOGUL "\"" CHARTMOGUL_CAVEAT
    "; ARPA in USD per month\"," CHARTMOGUL_URLS "\n"
    "logo_churn,arpa,500,,,1.9,,month,lower," CHARTMOGUL "\"" CHARTMOGUL_CAVEAT
    "; ARPA in USD per month\"," CHARTMOGUL_URLS "\n"
    "logo_churn,arr,0,120000,,6.8,,month,lower," CHARTMOGUL "\"" CHARTMOGUL_CAVEAT
    "; ChartMogul's bands are MRR under $10k and $10k-50k, kept as ARR = 12 x MRR (exact)\"," CHARTMOGUL_URLS "\n"
    "logo_churn,arr,120000,600000,,4.6,,month,lower," CHARTMOGUL "\"" CHARTMOGUL_CAVEAT
    "; ChartMogul's bands are MRR under $10k and $10k-50k, kept as ARR = 12 x MRR (exact)\"," CHARTMOGUL_URLS "\n";

#undef SAAS_CAPITAL_2023
#undef SAAS_CAPITAL_URLS
#undef SAAS_CAPITAL_NRR
#undef SAAS_CAPITAL_GRR
#undef CHARTMOGUL
#undef CHARTMOGUL_CAVEAT
#undef CHARTMOGUL_URLS

} // namespace

std::string_view builtin_peer_csv() noexcept { return k_builtin_csv; }

} // namespace cskpi
