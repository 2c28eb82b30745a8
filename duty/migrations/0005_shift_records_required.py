from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    dependencies = [("duty", "0004_fill_shift_records")]

    operations = [
        migrations.AlterField(
            model_name="dutycheck",
            name="date",
            field=models.DateField(verbose_name="日期"),
        ),
        migrations.AlterField(
            model_name="dutycheck",
            name="member",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="duty_checks",
                to="members.member",
                verbose_name="值班人员",
            ),
        ),
        migrations.AlterField(
            model_name="dutycheck",
            name="phase",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="rosters.phase",
                verbose_name="阶段",
            ),
        ),
        migrations.AlterField(
            model_name="dutycheck",
            name="post",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="rosters.post",
                verbose_name="岗位",
            ),
        ),
        migrations.AlterField(
            model_name="dutycheck",
            name="slot",
            field=models.CharField(max_length=30, verbose_name="班次"),
        ),
        migrations.AlterField(
            model_name="dutylog",
            name="date",
            field=models.DateField(verbose_name="日期"),
        ),
        migrations.AlterField(
            model_name="dutylog",
            name="member",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="duty_logs",
                to="members.member",
                verbose_name="值班人员",
            ),
        ),
        migrations.AlterField(
            model_name="dutylog",
            name="phase",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="rosters.phase",
                verbose_name="阶段",
            ),
        ),
        migrations.AlterField(
            model_name="dutylog",
            name="post",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="rosters.post",
                verbose_name="岗位",
            ),
        ),
        migrations.AlterField(
            model_name="dutylog",
            name="slot",
            field=models.CharField(max_length=30, verbose_name="班次"),
        ),
    
    ]
