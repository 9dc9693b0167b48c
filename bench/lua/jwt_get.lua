-- GET with "Authorization: JWT <BENCH_TOKEN>".
wrk.headers["Authorization"] = "JWT " .. os.getenv("BENCH_TOKEN")
