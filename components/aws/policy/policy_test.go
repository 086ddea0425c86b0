package policy

import (
	"strings"
	"testing"
)

func TestJSON(t *testing.T) {
	got, err := New(Statement{
		Sid: "S", Effect: Allow, Principal: &Principal{Service: []string{"ecs-tasks.amazonaws.com"}},
		Action: []string{"sts:AssumeRole"}, Condition: Condition{"StringEquals": {"aws:SourceAccount": {"123456789012"}}},
	}).JSON()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Version":"2012-10-17","Statement":[{"Sid":"S","Effect":"Allow","Principal":{"Service":["ecs-tasks.amazonaws.com"]},"Action":["sts:AssumeRole"],"Condition":{"StringEquals":{"aws:SourceAccount":["123456789012"]}}}]}`
	if got != want {
		t.Errorf("JSON =\n%s\nwant\n%s", got, want)
	}
	// Values that look like JSON stay data: no injection through a name.
	got, _ = New(Statement{Effect: Allow, Action: []string{"s3:PutObject"}, Resource: []string{`arn:aws:s3:::b/"],"Action":["*`}}).JSON()
	if d, err := Parse(got); err != nil || len(d.Statement[0].Action) != 1 || d.Statement[0].Action[0] != "s3:PutObject" {
		t.Errorf("a quote in a resource changed the document: %s", got)
	}
}

func TestJSONRefusesIncompleteStatements(t *testing.T) {
	for _, d := range []Document{
		New(),
		New(Statement{Effect: "allow", Action: []string{"s3:GetObject"}}),
		New(Statement{Effect: Allow}),
	} {
		if _, err := d.JSON(); err == nil {
			t.Errorf("%+v rendered", d)
		}
	}
}

func TestPartition(t *testing.T) {
	for region, want := range map[string]string{"us-east-1": "aws", "cn-north-1": "aws-cn", "us-gov-west-1": "aws-us-gov", "eusc-de-east-1": "aws-eusc"} {
		if got := Partition(region); got != want {
			t.Errorf("Partition(%s) = %s; want %s", region, got, want)
		}
	}
	if DNSSuffix("cn-northwest-1") != "amazonaws.com.cn" || DNSSuffix("eu-west-1") != "amazonaws.com" {
		t.Error("DNSSuffix")
	}
	if got := (ARN{Partition: "aws", Service: "iam", Account: "aws", Resource: "policy/X"}).String(); !strings.HasPrefix(got, "arn:aws:iam::aws:policy/X") {
		t.Errorf("ARN = %s", got)
	}
}
