package io.paravm.dashboard;

import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;

/**
 * Takes the README's picture of the dashboard: opens a page in headless chromium, waits, and
 * saves a screenshot. Not a test; run it by hand while a job runs with {@code --dashboard}:
 *
 * <pre>
 * ./paravm demo mandelbrot --dashboard 2>&amp;1 | tee demo.log &amp;         # prints the page's address
 * java -cp "$(cat cp.txt):paravm-dashboard/target/test-classes" io.paravm.dashboard.PageScreenshot URL out.png 10
 * </pre>
 */
public final class PageScreenshot {

    private PageScreenshot() {
    }

    /**
     * @param args the page's address, the PNG to write, and how many seconds to watch first
     */
    public static void main(String[] args) throws Exception {
        Path profile = Files.createTempDirectory("paravm-screenshot");
        WebDriver browser = DashboardBrowserTest.chromium(profile);
        try {
            browser.get(args[0]);
            TimeUnit.SECONDS.sleep(Long.parseLong(args[2])); // the page fills its charts as the job runs
            Files.copy(((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(), Path.of(args[1]),
                    StandardCopyOption.REPLACE_EXISTING);
        } finally {
            browser.quit();
        }
    }
}
