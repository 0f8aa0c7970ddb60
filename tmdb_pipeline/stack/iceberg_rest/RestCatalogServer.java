package tmdb.stack;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.rest.RESTCatalogAdapter;
import org.apache.iceberg.rest.RESTCatalogServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Apache Iceberg's REST catalog server (the adapter and servlet behind the apache/iceberg-rest-fixture
 * image) on one address. The fixture's own main binds every interface and logs its catalog
 * properties, S3 keys included; this launcher binds REST_HOST and logs no property.
 *
 * <p>Catalog properties come from CATALOG_* variables as in the fixture: CATALOG_S3_ACCESS__KEY__ID
 * becomes s3.access-key-id ("__" is "-", "_" is ".").
 */
public final class RestCatalogServer {
  private RestCatalogServer() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> properties = new HashMap<>();
    System.getenv()
        .forEach(
            (name, value) -> {
              if (name.startsWith("CATALOG_")) {
                String key = name.substring("CATALOG_".length()).toLowerCase(Locale.ROOT);
                properties.put(key.replace("__", "-").replace("_", "."), value);
              }
            });
    properties.putIfAbsent("catalog-impl", "org.apache.iceberg.jdbc.JdbcCatalog");
    properties.putIfAbsent("jdbc.schema-version", "V1"); // V1 stores views too
    String host = System.getenv().getOrDefault("REST_HOST", "127.0.0.1");
    int port = Integer.parseInt(System.getenv().getOrDefault("REST_PORT", "8181"));

    Catalog catalog =
        CatalogUtil.buildIcebergCatalog(
            properties.getOrDefault("catalog.name", "rest_backend"), properties, new Configuration());
    ServletContextHandler context = new ServletContextHandler();
    context.addServlet(new ServletHolder(new RESTCatalogServlet(new RESTCatalogAdapter(catalog))), "/*");

    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost(host);
    connector.setPort(port);
    server.addConnector(connector);
    server.setHandler(context);
    server.start();
    System.out.println("Iceberg REST catalog listening on http://" + host + ":" + port);
    server.join();
  }
}
